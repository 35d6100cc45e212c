#!/usr/bin/python3
"""A PyTorch proxy of the `photos` recipe, to choose a recipe quickly (research, not the product).

PyTorch runs this recipe about 4x faster than our lavapipe kernels on the same 2 cores, so a
variant costs ~6 minutes instead of ~40. The proxy trains the same towers (small ResNet, 2-layer
text transformer, learned logit scale, Adam, warm-up + cosine) on the same texts (token ids from
dump_photos.ts) at the same patch size and steps, then scores the official mean-shift map
(scripts/parity/official_localize.py) by p-mAP on DEV splices: splices of photos that are neither
in the training set nor in the held-apart validation photos of the real run, so choosing a recipe
here never looks at the splices the README reports.

  npx tsx scripts/research/dump_photos.ts ../shared/photos runs/research/photos.json
  mkdir -p runs/research/dev-photos   # symlinks to the photos with split 0.15 'train' and 0.3 'val'
  pnpm exiflang data splices --photos runs/research/dev-photos --out runs/research/dev-splices --count 40 --seed 7
  /usr/bin/python3 scripts/research/photos_proxy.py --photos-json runs/research/photos.json \
      --dev runs/research/dev-splices --arch hpv     # appends a line to runs/research/results.jsonl

docs/experiments/photos-recipe.md has the variants tried and what they gave.
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../parity'))
import models as M  # noqa: E402
import official_localize as OL  # noqa: E402
from sklearn.metrics import average_precision_score

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)

p = argparse.ArgumentParser()
p.add_argument('--steps', type=int, default=700)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--crops', type=int, default=1, help='crops per image per step (sub-batches sharing the text pass)')
p.add_argument('--patch', type=int, default=64)
p.add_argument('--lr', type=float, default=5e-4)
p.add_argument('--warmup', type=int, default=50)
p.add_argument('--arch', default='base')
p.add_argument('--widths', default='32,64,128,256')
p.add_argument('--layers', default='2,2,2,2')
p.add_argument('--stem', type=int, default=32)
p.add_argument('--embed', type=int, default=128)
p.add_argument('--text', default='full', help='full | none (image-image only)')
p.add_argument('--ii', type=float, default=0.0, help='weight of the patch-patch (same photo) InfoNCE')
p.add_argument('--align', type=int, default=1, help='training crop offsets a multiple of this (8: on the JPEG grid)')
p.add_argument('--seed', type=int, default=0)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--eval-limit', type=int, default=40)
p.add_argument('--random-init', action='store_true')
p.add_argument('--save')
p.add_argument('--photos-json', required=True, help='dump_photos.ts output')
p.add_argument('--dev', required=True, help='dev splice folder (data splices output)')
p.add_argument('--results', help='JSON lines to append to (default: results.jsonl beside --photos-json)')
p.add_argument('--train-fraction', default='0.3', help='train on the photos on the train side of this held-apart fraction')
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../..')
rows = json.load(open(args.photos_json))
train = [r for r in rows if r['split'][args.train_fraction] == 'train']
RESULTS = args.results or os.path.join(os.path.dirname(os.path.abspath(args.photos_json)), 'results.jsonl')
print(f'{len(train)} training photos', flush=True)


class Stem(nn.Module):
    """Input prefilters for the experiments."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def forward(self, x):
        if self.kind in ('hpv', 'hpvk4'):
            # valid (unpadded) x - 3x3 box mean: S -> S - 2
            k = torch.ones(3, 1, 3, 3) / 9
            return (x[:, :, 1:-1, 1:-1] - F.conv2d(x, k, groups=3)) * 4
        if self.kind == 'srm':
            # 2nd-order residual: x - mean of the 4-neighbours (valid)
            c = x[:, :, 1:-1, 1:-1]
            nb = (x[:, :, :-2, 1:-1] + x[:, :, 2:, 1:-1] + x[:, :, 1:-1, :-2] + x[:, :, 1:-1, 2:]) / 4
            return (c - nb) * 4
        if self.kind == 'hp5':
            k = torch.ones(3, 1, 5, 5) / 25
            return (x[:, :, 2:-2, 2:-2] - F.conv2d(x, k, groups=3)) * 4
        if self.kind in ('hp', 'hpnp'):
            # x - 3x3 box mean, per channel (a fixed high-pass residual), scaled up
            k = torch.ones(3, 1, 3, 3) / 9
            blur = F.conv2d(F.pad(x, (1, 1, 1, 1), mode='replicate'), k, groups=3)
            return (x - blur) * 4
        if self.kind == 'cat':
            k = torch.ones(3, 1, 3, 3) / 9
            blur = F.conv2d(F.pad(x, (1, 1, 1, 1), mode='replicate'), k, groups=3)
            return torch.cat([x, (x - blur) * 4], 1)
        return x


def build_image():
    widths = [int(v) for v in args.widths.split(',')]
    layers = [int(v) for v in args.layers.split(',')]
    net = M.build_resnet('basic', layers, embed=args.embed, widths=widths, stem=args.stem)
    cin = 6 if args.arch == 'cat' else 3
    if args.arch in ('nopool', 'hpnp', 'cat'):
        net.maxpool = nn.Identity()
    if args.arch == 's1':  # stride-1 3x3 stem + maxpool
        net.conv1 = nn.Conv2d(cin, args.stem, 3, 1, 1, bias=False)
        nn.init.kaiming_normal_(net.conv1.weight, mode='fan_out', nonlinearity='relu')
    elif args.arch == 'cat':
        net.conv1 = nn.Conv2d(cin, args.stem, 7, 2, 3, bias=False)
        nn.init.kaiming_normal_(net.conv1.weight, mode='fan_out', nonlinearity='relu')
    return nn.Sequential(Stem(args.arch), net)


img_net = build_image()
txt_cfg = dict(vocab=30522, dim=args.embed, max_positions=512, layers=2, heads=2, ffn=512, dropout=0.0)
txt_net = M.DistilBertModel(txt_cfg)
logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))


def encode_text(ids, mask):
    h = txt_net(ids, mask)
    m = mask.unsqueeze(-1).float()
    return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)


def load(path):
    return np.asarray(Image.open(path).convert('RGB'))


def nce(a, b, scale):
    a = F.normalize(a, dim=-1)
    b = F.normalize(b, dim=-1)
    logits = scale * a @ b.t()
    lab = torch.arange(a.shape[0])
    return (F.cross_entropy(logits, lab) + F.cross_entropy(logits.t(), lab)) / 2


def train_model():
    t0 = time.time()
    photos = [load(r['path'] if os.path.isabs(r['path']) else os.path.join(ROOT, r['path'])) for r in train]
    print(f'decoded {len(photos)} photos in {time.time() - t0:.1f} s', flush=True)
    T = max(len(r['ids']) for r in train)
    ids = torch.zeros(len(train), T, dtype=torch.long)
    mask = torch.zeros(len(train), T, dtype=torch.long)
    for i, r in enumerate(train):
        ids[i, :len(r['ids'])] = torch.tensor(r['ids'])
        mask[i, :len(r['ids'])] = 1
    allp = list(img_net.parameters()) + list(txt_net.parameters())
    params = [{'params': [q for q in allp if q.ndim > 1], 'weight_decay': 1e-4},
              {'params': [q for q in allp if q.ndim <= 1] + [logit_scale], 'weight_decay': 0.0}]
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    S = args.patch
    B = args.batch
    K = args.crops

    def lr_at(s):
        if s < args.warmup:
            return args.lr * (s + 1) / args.warmup
        t = (s - args.warmup) / max(1, args.steps - args.warmup)
        return 5e-6 + (args.lr - 5e-6) * 0.5 * (1 + math.cos(math.pi * t))

    img_net.train(); txt_net.train()
    t0 = time.time()
    for step in range(args.steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step)
        pick = rng.choice(len(train), B, replace=False)
        patches = np.empty((K, B, S, S, 3), np.uint8)
        for j, i in enumerate(pick):
            h, w, _ = photos[i].shape
            for k in range(K):
                A = args.align
                y = rng.integers(0, (h - S) // A + 1) * A; x = rng.integers(0, (w - S) // A + 1) * A
                patches[k, j] = photos[i][y:y + S, x:x + S]
        xb = torch.from_numpy(((patches.astype(np.float32) / 255 - MEAN) / STD)).reshape(K * B, S, S, 3).permute(0, 3, 1, 2).contiguous()
        emb = img_net(xb).reshape(K, B, -1)
        scale = logit_scale.exp().clamp(max=100)
        loss = torch.zeros(())
        if args.text != 'none':
            te = encode_text(ids[pick], mask[pick])
            loss = sum(nce(emb[k], te, scale) for k in range(K)) / K
        if args.ii > 0 and K > 1:
            ii = sum(nce(emb[a], emb[b], scale) for a in range(K) for b in range(a + 1, K)) / (K * (K - 1) / 2)
            loss = loss + args.ii * ii
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            el = time.time() - t0
            print(f'step {step} loss {loss.item():.3f} scale {scale.item():.1f} {el:.0f}s ({(step + 1) * B * K / el:.0f} patches/s)', flush=True)
    return time.time() - t0


@torch.no_grad()
def evaluate():
    img_net.eval()
    root = args.dev
    man = json.load(open(os.path.join(root, 'manifest.json')))
    items = man['items'][:args.eval_limit]
    aps = []
    t0 = time.time()
    for it in items:
        im = load(os.path.join(root, it['files']['spliced']))
        gt = np.asarray(Image.open(os.path.join(root, it['files']['mask'])).convert('L')) > 127
        H, W, _ = im.shape
        g = OL.patch_grid(W, H, args.patch, 30)
        xs = []
        for r in range(g['rows']):
            for c in range(g['cols']):
                y, x = r * g['stride'], c * g['stride']
                xs.append(im[y:y + args.patch, x:x + args.patch])
        xs = np.stack(xs).astype(np.float32) / 255
        xb = torch.from_numpy((xs - MEAN) / STD).permute(0, 3, 1, 2).contiguous()
        feats = torch.cat([img_net(xb[i:i + 256]) for i in range(0, len(xb), 256)]).numpy()
        out = OL.localize({'width': W, 'height': H, 'patch': args.patch, 'dim': feats.shape[1], 'features': feats.ravel()}, full=True)
        ms = np.asarray(out['full']['ms'], np.float32)
        y = gt.ravel()
        ap = max(average_precision_score(y, ms), average_precision_score(y, -ms))
        aps.append(ap)
    print(f'dev p-mAP {np.mean(aps):.4f} over {len(aps)} splices ({time.time() - t0:.0f} s)', flush=True)
    return float(np.mean(aps)), aps


secs = 0.0 if args.random_init else train_model()
pmap, aps = evaluate()
res = dict(args=vars(args), train_seconds=secs, pmap=pmap, aps=aps)
with open(RESULTS, 'a') as f:
    f.write(json.dumps(res) + '\n')
if args.save:
    torch.save({'img': img_net.state_dict(), 'txt': txt_net.state_dict()}, args.save)
