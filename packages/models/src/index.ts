export {};
export * from './checkpoint/index.ts';
