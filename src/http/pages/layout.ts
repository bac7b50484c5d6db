import { LANGUAGE_NAMES } from '../../core/languages.ts';
import { errorMessage } from '../../i18n/error-messages.ts';
import { tHtml } from '../../i18n/rich.ts';
import { t } from '../../i18n/t.ts';
import { html, type SafeHtml } from '../html.ts';
import { currentPage, type PageBrand } from '../page-context.ts';

export type PageChrome = {
  title: string;
  /** Whose pages these are: the header links differ for the Help Center and the agent console. */
  area: 'help-center' | 'agent' | 'admin';
  signedInAs?: string | undefined;
  /** Needed to render the sign-out button when someone is signed in. */
  csrfToken?: string | undefined;
};

function areaName(area: PageChrome['area']): string {
  return area === 'help-center' ? t('area.helpCenter') : area === 'admin' ? t('area.admin') : t('area.agent');
}

/**
 * The footer's language menu (issue 18 part 7): one button per language offered, each in its
 * own name and marked with its own `lang`, so a reader who cannot read the page's language
 * still finds theirs. A POST with this browser's CSRF token; the answer is a 303 back here.
 */
function languageMenu(): SafeHtml | '' {
  const page = currentPage();
  const menu = page.languageMenu;
  if (!menu || menu.offered.length < 2) return '';
  return html`<footer class="site">
<form class="language-menu" method="post" action="/language" aria-label="${t('footer.languageMenu')}">
<input type="hidden" name="_csrf" value="${menu.csrfToken()}"><input type="hidden" name="return_to" value="${menu.returnTo}">
<span class="muted">${t('footer.language')}:</span>
${menu.offered.map((language) => language === page.language
  ? html`<button type="submit" class="link" name="lang" value="${language}" lang="${language}" aria-current="true">${LANGUAGE_NAMES[language]}</button>`
  : html`<button type="submit" class="link" name="lang" value="${language}" lang="${language}">${LANGUAGE_NAMES[language]}</button>`)}
</form>
</footer>`;
}

const UNBRANDED: PageBrand = { name: null, signInText: null, logoSrc: null, stylesheetHref: null };
const brandOfPage = (): PageBrand => currentPage().brand ?? UNBRANDED;

/** What the title ends with: the helpdesk's name where one is set, the area's own name otherwise. */
function siteTitle(area: PageChrome['area'], brand: PageBrand): string {
  if (!brand.name) return areaName(area);
  return area === 'help-center' ? brand.name : `${areaName(area)} · ${brand.name}`;
}

/** The admin's sign-in page text (plain text, escaped; its line breaks kept by the stylesheet). */
export function signInText(): SafeHtml {
  const text = brandOfPage().signInText;
  return text ? html`<p class="sign-in-text">${text}</p>` : html``;
}

export function layout(chrome: PageChrome, body: SafeHtml): SafeHtml {
  const brand = brandOfPage();
  const suffix = siteTitle(chrome.area, brand);
  const home = chrome.area === 'help-center' ? '/' : chrome.area === 'admin' ? '/admin' : '/agent';
  const logoutAction = chrome.area === 'help-center' ? '/logout' : '/agent/logout';
  const loginHref = chrome.area === 'help-center' ? '/login' : '/agent/login';
  return html`<!doctype html>
<html lang="${currentPage().language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title === suffix ? chrome.title : `${chrome.title} · ${suffix}`}</title>
<link rel="stylesheet" href="/assets/frontdoor.css">
${brand.stylesheetHref ? html`<link rel="stylesheet" href="${brand.stylesheetHref}">` : ''}
${chrome.area === 'admin' ? html`<script src="/assets/console.js" defer></script>` : ''}
</head>
<body>
${brand.previewBar ?? ''}
<header class="site">
  <a class="brand" href="${home}">${brand.logoSrc ? html`<img class="logo" src="${brand.logoSrc}" alt="${brand.name ?? areaName(chrome.area)}">` : ''}<span>${brand.name ?? areaName(chrome.area)}</span>${brand.name && chrome.area !== 'help-center' ? html`<span class="area">${areaName(chrome.area)}</span>` : ''}</a>
  <nav aria-label="${t('header.nav')}">
    ${chrome.signedInAs
      ? html`<a href="${chrome.area === 'help-center' ? '/account' : '/agent/account'}">${t('header.account')}</a><span class="muted">${t('header.signedInAs', { email: chrome.signedInAs })}</span>
        <form method="post" action="${logoutAction}"><input type="hidden" name="_csrf" value="${chrome.csrfToken}"><button class="link" type="submit">${t('header.signOut')}</button></form>`
      : html`<a href="${loginHref}">${t('header.signIn')}</a>`}
  </nav>
</header>
<main id="main">
${body}
</main>
${languageMenu()}
</body>
</html>`;
}

export function errorPage(input: {
  title: string;
  message: string;
  code: string;
  traceId: string;
  area: PageChrome['area'];
  /** Where "Try again" goes (SSO failures: a new attempt, never an automatic one). */
  retryHref?: string | undefined;
  /** A way to fix it that is not a retry (an unproven account: reset its password first). */
  help?: { href: string; label: string } | undefined;
  /** The header's "Signed in as" and its sign-out form, as on every other page. */
  signedInAs?: string | undefined;
  csrfToken?: string | undefined;
}): SafeHtml {
  return layout(
    { title: input.title, area: input.area, signedInAs: input.signedInAs, csrfToken: input.csrfToken },
    html`<div class="card">
  <h1>${input.title}</h1>
  <p class="error" role="alert" data-code="${input.code}">${errorMessage(input)}</p>
  <p class="muted">${tHtml('errorPage.reference', { code: html`<code>${input.code}</code>`, trace: html`<code>${input.traceId}</code>` })}</p>
  ${input.help ? html`<p><a class="button" href="${input.help.href}">${input.help.label}</a></p>` : ''}
  ${input.retryHref ? html`<p><a class="button" href="${input.retryHref}">${t('errorPage.tryAgain')}</a></p>` : ''}
  <p><a href="${input.area === 'help-center' ? '/' : '/agent'}">${t('errorPage.backToStart')}</a></p>
</div>`,
  );
}
