const mods = process.argv.slice(2);
const mu = () => { const m = process.memoryUsage(); return `rss ${(m.rss/1048576).toFixed(1)} heap ${(m.heapUsed/1048576).toFixed(1)} ext ${(m.external/1048576).toFixed(1)}`; };
globalThis.gc?.();
console.log('base', mu());
for (const m of mods) {
  const t = performance.now();
  await import(m);
  globalThis.gc?.();
  console.log(m, mu(), (performance.now()-t).toFixed(0)+'ms');
}
