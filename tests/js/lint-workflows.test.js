// The workflow check (build/lint-workflows.mjs, run by ./dev test) finds real
// mistakes: a broken workflow is reported, the project's own pass.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { lintWorkflows } from '../../build/lint-workflows.mjs';

const BROKEN = `name: broken
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depht: 1
      - run: echo "\${{ github.event.pull_request.title }}"
        if: \${{ steps.nope.outputs.x == 'y' }}
`;

test('a broken workflow is reported with its lines', async () => {
  const problems = await lintWorkflows([{ path: 'broken.yml', text: BROKEN }]);
  const kinds = problems.map((p) => p.kind);
  assert.ok(kinds.includes('action'), `an unknown input of actions/checkout: ${JSON.stringify(problems)}`);
  assert.ok(kinds.includes('expression'), 'an undefined step in an expression');
  assert.ok(problems.every((p) => p.path === 'broken.yml' && p.line > 0));
});

test("the project's workflows pass", async () => {
  const folder = new URL('../../.github/workflows/', import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith('.yml'));
  assert.ok(files.length >= 2);
  const problems = await lintWorkflows(files.map((name) => ({ path: name, text: readFileSync(new URL(name, folder), 'utf8') })));
  assert.deepEqual(problems, []);
});
