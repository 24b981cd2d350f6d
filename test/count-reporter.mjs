// A node:test reporter that writes the run's final counts as JSON, so the
// runner can tell "every test passed" from "no test ran".
export default async function* countReporter(source) {
  const counts = {};
  for await (const event of source) {
    if (event.type === 'test:diagnostic') {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(event.data.message);
      if (m) counts[m[1]] = Number(m[2]);
    }
  }
  yield JSON.stringify(counts) + '\n';
}
