// A node:test reporter that writes the run's final counts as JSON, so the
// runner can tell "every test passed" from "no test ran", and how long each
// test file's tests took, so slow files are seen.
export default async function* countReporter(source) {
  const counts = {};
  const files = {};
  for await (const event of source) {
    if (event.type === 'test:diagnostic') {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(event.data.message);
      if (m) counts[m[1]] = Number(m[2]);
    }
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      files[event.data.file] = (files[event.data.file] ?? 0) + (event.data.details?.duration_ms ?? 0);
    }
  }
  yield JSON.stringify({ ...counts, files }) + '\n';
}
