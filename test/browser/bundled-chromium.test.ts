import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { chooseChromium, launchChromium } from '../helpers/browser.ts';

// `npm test` must pass on a machine with nothing beyond Node and npm: the Chromium that
// `npm install` brings (@sparticuz/chromium) must run with none of the system's browser
// libraries. .ci/run runs the browser suite with FRONTDOOR_TEST_CHROMIUM=bundled to show it.
describe('the browser the tests drive', () => {
  it('is the packaged Chromium when FRONTDOOR_TEST_CHROMIUM=bundled, and it needs only the C library from the system', { skip: process.env.FRONTDOOR_TEST_CHROMIUM !== 'bundled' && 'runs with FRONTDOOR_TEST_CHROMIUM=bundled (.ci/run)' }, async () => {
    const chosen = await chooseChromium();
    assert.equal(chosen.kind, 'bundled');
    const ldd = execFileSync('ldd', [chosen.executablePath], { env: { ...process.env, ...chosen.env } }).toString();
    assert.doesNotMatch(ldd, /not found/);
    // Every shared library outside glibc and libgcc_s comes from the unpacked package.
    const fromSystem = ldd.split('\n')
      .map((line) => /^\s*(\S+) => (\S+)/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && !match[2]!.startsWith(chosen.env.LD_LIBRARY_PATH!))
      .map((match) => match[1]!)
      .filter((name) => !/^(libc|libm|libdl|libpthread|librt|libgcc_s)\.so/.test(name));
    assert.deepEqual(fromSystem, []);
  });

  it('launches and renders a page', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<h1>Frontdoor</h1>');
      assert.equal(await page.textContent('h1'), 'Frontdoor');
    } finally {
      await browser.close();
    }
  });
});
