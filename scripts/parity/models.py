"""The official exif-as-language model, rebuilt in plain torch for parity fixtures.

Mirrors hellomuffin/exif-as-language model_wrapper.py: EXIFNet wraps a CLIP model whose
`visual` is replaced by torchvision's ResNet-50 (fc -> Linear(2048, 768)) and whose
`transformer` is replaced by Hugging Face's DistilBertModel; text embeddings are the masked
mean of DistilBERT's last hidden state (avg_word_embs=True). The CLIP text-side modules it
never uses (token_embedding, positional_embedding, ln_final, text_projection, logit_scale)
and EXIFNet's unused `sink_temp` stay in its state dict; they are reproduced here with
configurable shapes so checkpoints have the official key layout.

ResNet and DistilBERT are written out here (not imported from torchvision / transformers) so
sizes can shrink for CI fixtures; `check_resnet_names` asserts that at full width the
parameter names and shapes equal torchvision's resnet18/resnet50.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- ResNet (torchvision names)

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    # torchvision's "ResNet v1.5": the stride sits on the 3x3 conv.
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision.models.ResNet with free widths: stem conv `stem` channels, stages `widths`."""

    def __init__(self, block, layers, widths=(64, 128, 256, 512), stem=64, num_classes=1000):
        super().__init__()
        self.inplanes = stem
        self.conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, widths[0], layers[0], 1)
        self.layer2 = self._make_layer(block, widths[1], layers[1], 2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], 2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        mods = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        mods += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build_resnet(block, layers, width_mult=1.0, embed=768, widths=None, stem=None):
    """torchvision's layout; widths default to 64-128-256-512 times `width_mult`."""
    blk = Bottleneck if block == "bottleneck" else BasicBlock
    w = lambda c: max(1, int(round(c * width_mult)))
    widths = tuple(widths) if widths else tuple(w(c) for c in (64, 128, 256, 512))
    return ResNet(blk, layers, widths, stem or w(64), embed)


def check_resnet_names():
    """Our ResNet at width 1 has exactly torchvision's state-dict names and shapes."""
    import torchvision

    for ours, theirs in (
        (build_resnet("basic", [2, 2, 2, 2], 1.0, 1000), torchvision.models.resnet18()),
        (build_resnet("bottleneck", [3, 4, 6, 3], 1.0, 1000), torchvision.models.resnet50()),
    ):
        a = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
        b = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert list(a) == list(b) and a == b, "ResNet names/shapes differ from torchvision"


# ------------------------------------------------------------ DistilBERT (Hugging Face names)

class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        # HF: padding_idx = pad_token_id (0): that row gets no gradient.
        self.word_embeddings = nn.Embedding(cfg["vocab"], cfg["dim"], padding_idx=0)
        self.position_embeddings = nn.Embedding(cfg["max_positions"], cfg["dim"])
        self.LayerNorm = nn.LayerNorm(cfg["dim"], eps=1e-12)
        self.dropout = nn.Dropout(cfg["dropout"])
        # transformers 4.x keeps this (derived) buffer in the state dict; the mapping ignores it.
        self.register_buffer("position_ids", torch.arange(cfg["max_positions"]).expand((1, -1)))

    def forward(self, input_ids):
        pos = self.position_ids[:, : input_ids.shape[1]]
        return self.dropout(self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(pos)))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads = cfg["heads"]
        self.dim = cfg["dim"]
        self.dropout = nn.Dropout(cfg["dropout"])
        self.q_lin = nn.Linear(self.dim, self.dim)
        self.k_lin = nn.Linear(self.dim, self.dim)
        self.v_lin = nn.Linear(self.dim, self.dim)
        self.out_lin = nn.Linear(self.dim, self.dim)

    def forward(self, x, mask):
        bs, t, _ = x.shape
        dh = self.dim // self.n_heads
        split = lambda y: y.view(bs, t, self.n_heads, dh).transpose(1, 2)
        q = split(self.q_lin(x)) / math.sqrt(dh)
        k = split(self.k_lin(x))
        v = split(self.v_lin(x))
        scores = q @ k.transpose(2, 3)
        masked = (mask == 0).view(bs, 1, 1, t).expand_as(scores)
        scores = scores.masked_fill(masked, torch.finfo(scores.dtype).min)
        weights = self.dropout(F.softmax(scores, dim=-1))
        ctx = (weights @ v).transpose(1, 2).reshape(bs, t, self.dim)
        return self.out_lin(ctx)


class FFN(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dropout = nn.Dropout(cfg["dropout"])
        self.lin1 = nn.Linear(cfg["dim"], cfg["ffn"])
        self.lin2 = nn.Linear(cfg["ffn"], cfg["dim"])

    def forward(self, x):
        return self.dropout(self.lin2(F.gelu(self.lin1(x))))  # exact (erf) GELU


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = MultiHeadSelfAttention(cfg)
        self.sa_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)
        self.ffn = FFN(cfg)
        self.output_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)

    def forward(self, x, mask):
        sa = self.sa_layer_norm(self.attention(x, mask) + x)  # post-LN
        return self.output_layer_norm(self.ffn(sa) + sa)


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg["layers"])])

    def forward(self, x, mask):
        for blk in self.layer:
            x = blk(x, mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.transformer = Transformer(cfg)
        # HF _init_weights: N(0, 0.02) for Linear/Embedding, zero biases and padding row.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0.0, 0.02)
            if isinstance(m, nn.Linear):
                m.bias.data.zero_()
            if isinstance(m, nn.Embedding) and m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()

    def forward(self, input_ids, attention_mask):
        return self.transformer(self.embeddings(input_ids), attention_mask)


# ------------------------------------------------------------------ the official wrapper

class CLIPRemains(nn.Module):
    """openai CLIP after EXIFNet swapped out `visual` and `transformer` (names as in CLIP)."""

    def __init__(self, visual, transformer, clip):
        super().__init__()
        width, ctx, vocab, embed = clip["width"], clip["context"], clip["vocab"], clip["embed"]
        self.positional_embedding = nn.Parameter(torch.randn(ctx, width) * 0.01)
        self.text_projection = nn.Parameter(torch.randn(width, embed) * width ** -0.5)
        # CLIP's trained value: ln(100), the scale the official training used (fixed).
        self.logit_scale = nn.Parameter(torch.tensor(math.log(100.0)))
        self.token_embedding = nn.Embedding(vocab, width)
        self.ln_final = nn.LayerNorm(width)
        self.visual = visual
        self.transformer = transformer


class EXIFNet(nn.Module):
    def __init__(self, visual, transformer, clip):
        super().__init__()
        self.model = CLIPRemains(visual, transformer, clip)
        self.sink_temp = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))  # unused upstream too

    def encode_image(self, image_nchw):
        return self.model.visual(image_nchw)

    def encode_text(self, input_ids, attention_mask):
        h = self.model.transformer(input_ids, attention_mask)
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)


def info_nce(img, txt, scale):
    """(CE(img->txt) + CE(txt->img)) / 2 over L2-normalised embeddings (official create_logits)."""
    img = img / img.norm(dim=-1, keepdim=True)
    txt = txt / txt.norm(dim=-1, keepdim=True)
    logits = scale * img @ txt.t()
    labels = torch.arange(img.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2, logits
