export * from './elementwise.ts';
export * from './reduce.ts';
export * from './shape.ts';
export * from './norm.ts';
export * from './softmax.ts';
export * from './pool.ts';
export * from './attention.ts';
