import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundledChromiumBinary, chooseChromium, launchChromium } from '../helpers/browser.ts';

// `npm test` must pass on a machine with nothing beyond Node and npm: the Chromium that
// `npm install` brings (@sparticuz/chromium) must run with none of the system's browser
// libraries. Checked here on every run, whichever browser the other tests use; .ci/run also
// runs every browser test with FRONTDOOR_TEST_CHROMIUM=bundled.
describe('the browser the tests drive', () => {
  it('the packaged Chromium needs only the C library and libgcc_s from the system', async () => {
    const bundled = await bundledChromiumBinary();
    const ldd = execFileSync('ldd', [bundled.executablePath], { env: { ...process.env, ...bundled.env } }).toString();
    assert.doesNotMatch(ldd, /not found/);
    // Every shared library outside glibc and libgcc_s comes from the unpacked package.
    const fromSystem = ldd.split('\n')
      .map((line) => /^\s*(\S+) => (\S+)/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && !match[2]!.startsWith(bundled.env.LD_LIBRARY_PATH!))
      .map((match) => match[1]!)
      .filter((name) => !/^(libc|libm|libdl|libpthread|librt|libgcc_s)\.so/.test(name));
    assert.deepEqual(fromSystem, []);
  });

  it('the packaged Chromium launches and renders a page', async () => {
    const browser = await launchChromium(await bundledChromiumBinary());
    try {
      const page = await browser.newPage();
      await page.setContent('<h1>Frontdoor</h1>');
      assert.equal(await page.textContent('h1'), 'Frontdoor');
    } finally {
      await browser.close();
    }
  });

  it('FRONTDOOR_TEST_CHROMIUM picks the browser: bundled forces the packaged one, system the system\'s, else the system\'s where there is one', async () => {
    const chosen = await chooseChromium();
    const wanted = process.env.FRONTDOOR_TEST_CHROMIUM;
    const systemOne = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    assert.equal(chosen.kind, wanted === 'bundled' || wanted === 'system' ? wanted : existsSync(systemOne) ? 'system' : 'bundled');
    const browser = await launchChromium();
    await browser.close();
  });
});
