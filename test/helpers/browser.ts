import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bundledChromium, { inflate } from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

// Which Chromium the browser tests drive (playwright-core never downloads one):
// - the system's (Debian's /usr/bin/chromium, or CHROMIUM_PATH) where there is one;
// - else the one `npm install` brought: @sparticuz/chromium ships the binary inside the
//   registry package, brotli-compressed, and it is unpacked to the temp directory once.
// FRONTDOOR_TEST_CHROMIUM=bundled forces the packaged one even where a system Chromium exists
// (.ci/run does, to prove `npm test` needs nothing beyond Node and npm); =system forces the system's.
const SYSTEM_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type ChromiumChoice = { kind: 'system' | 'bundled'; executablePath: string; env: Record<string, string> };

let choice: Promise<ChromiumChoice> | undefined;

export function chooseChromium(): Promise<ChromiumChoice> {
  choice ??= pickChromium();
  return choice;
}

async function pickChromium(): Promise<ChromiumChoice> {
  const wanted = process.env.FRONTDOOR_TEST_CHROMIUM ?? 'auto';
  if (!['auto', 'system', 'bundled'].includes(wanted)) throw new Error(`FRONTDOOR_TEST_CHROMIUM must be system or bundled, not ${wanted}`);
  if (wanted === 'system' || (wanted === 'auto' && existsSync(SYSTEM_CHROMIUM))) {
    return { kind: 'system', executablePath: SYSTEM_CHROMIUM, env: {} };
  }
  return bundledChromiumBinary();
}

/**
 * Unpacks @sparticuz/chromium (the browser, its fonts, SwiftShader, and the NSS/NSPR/expat
 * libraries it needs, which a bare Debian lacks) into the temp directory. Test files run as
 * parallel processes: the package's own check "is /tmp/chromium there?" would let a second
 * process start a half-written binary, so one process unpacks under a lock directory and
 * leaves a marker when the whole set is complete.
 */
export async function bundledChromiumBinary(): Promise<ChromiumChoice> {
  const tmp = tmpdir();
  const marker = join(tmp, `frontdoor-chromium-${bundledVersion()}.complete`);
  const libraries = join(tmp, 'al2023', 'lib');
  const env = { LD_LIBRARY_PATH: libraries, FONTCONFIG_PATH: join(tmp, 'fonts') };
  const executablePath = join(tmp, 'chromium');
  if (existsSync(marker) && existsSync(executablePath)) return { kind: 'bundled', executablePath, env };
  const lock = join(tmp, 'frontdoor-chromium-unpack.lock');
  await takeLockDirectory(lock);
  try {
    if (!(existsSync(marker) && existsSync(executablePath))) {
      // Whatever a killed earlier run left half-written goes first.
      rmSync(executablePath, { force: true });
      rmSync(libraries, { recursive: true, force: true });
      const binDir = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..', 'bin');
      await inflate(join(binDir, 'al2023.tar.br'));
      const unpacked = await bundledChromium.executablePath();
      if (unpacked !== executablePath) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${executablePath}`);
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
  } finally {
    rmdirSync(lock);
  }
  return { kind: 'bundled', executablePath, env };
}

async function takeLockDirectory(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Unpacking takes seconds; a lock older than five minutes belongs to a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock);
      } catch { /* gone meanwhile */ }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function bundledVersion(): string {
  const packageJson = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** The Chromium the tests use (chooseChromium), or the one given. */
export async function launchChromium(chosen?: ChromiumChoice): Promise<Browser> {
  const { executablePath, env } = chosen ?? (await chooseChromium());
  return chromium.launch({
    executablePath,
    headless: true,
    env: { ...process.env, ...env } as Record<string, string>,
    // The flags keep it from reaching for Google's services, which this machine cannot reach.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Fills the password form on the page and submits it (the sign-in form's own labels). */
export async function submitPasswordForm(page: import('playwright-core').Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
