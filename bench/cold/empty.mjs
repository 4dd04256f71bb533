// An empty ES module: the floor of the cold-start figure (bench.mjs, benchColdStart).
export {};
