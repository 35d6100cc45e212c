import { gpuSuite } from '../../vitest.shared.ts';

export default gpuSuite();
