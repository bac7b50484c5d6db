import multipart from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { BrandChanges } from '../../../core/brand.ts';
import { HEX_COLOR } from '../../../core/brand-contrast.ts';
import { LOGO_MAX_BYTES } from '../../../core/brand-logo.ts';
import { FrontdoorError, isFrontdoorError } from '../../../core/errors.ts';
import { brandStylesheet } from '../../brand-stylesheet.ts';
import { discardRequestBody } from '../../oversized-body.ts';
import { currentPage, drawnWith } from '../../page-context.ts';
import { brandPage, brandPreviewBar } from '../../pages/admin/brand.ts';
import { loginPage } from '../../pages/sign-in.ts';
import { adminConsole, frameOf, send, type AdminConsole, type Form, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// The Brand section (issue 18 part 6). The only multipart route of the console: the plugin is
// registered in this section's own scope, so no other route parses multipart bodies. The logo
// is judged by its bytes (brand-logo.ts), never by the part's content type or file name.

/** The base64 of a previewed logo travels back with Save: room for the largest logo, and a little more, so a longer one is refused as too large rather than cut. */
const LOGO_DATA_FIELD_LIMIT = Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 4096;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function registerBrandRoutes(sections: AdminConsole): void {
  const { scope, ctx, services, adminOf } = sections;
  void scope.register(async (inner) => {
    // A multipart body is parsed before the route's preHandler: the console's own onRequest
    // hook (index.ts) has refused anyone but a signed-in admin Agent (a Help Center session:
    // auth.wrong_audience) before a byte of it is read, so a stranger cannot make us buffer uploads.
    await inner.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 10, parts: 12, fieldSize: LOGO_DATA_FIELD_LIMIT, headerPairs: 20 },
    });
    // After the plugin's own preValidation hook: the body has been read whole.
    const bodyRead = new WeakSet<FastifyRequest>();
    inner.addHook('preValidation', async (request) => {
      bodyRead.add(request);
    });
    inner.setErrorHandler(async (error: FastifyError, request) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') {
        await discardRequestBody(request.raw);
        throw new FrontdoorError('brand.logo_too_large', `The logo is larger than ${LOGO_MAX_BYTES / 1024} KB, the most allowed. Export it smaller (a header logo needs no more than 512 pixels) and upload it again.`, { limit: LOGO_MAX_BYTES });
      }
      // busboy's own errors (no boundary, a part cut off, a malformed part header) carry no
      // status: while the body is being read they are a request we cannot read, not our failure.
      if (!bodyRead.has(request) && !isFrontdoorError(error) && error.statusCode === undefined && request.isMultipart()) {
        await discardRequestBody(request.raw);
        throw new FrontdoorError('request.invalid', 'The upload could not be read: the form data is malformed or cut short. Reload the page and try again.');
      }
      throw error;
    });

    const { page, action, answer, confirmed } = adminConsole(inner, ctx, adminOf);
    const render: Render = async (_request, _reply, admin, state) => brandPage(frameOf(admin, state), await services.brand.current());

    page('/admin/brand', render);
    action('/admin/brand', render, async (request, admin, form) => {
      await services.brand.update(changesOf(request, form), admin.actor, request.ip);
      return '/admin/brand?notice=saved';
    });

    // The Help Center sign-in page drawn with the unsaved values; nothing is stored. The colour
    // reaches it through a stylesheet of its own (inline styles are forbidden), the new logo as a
    // data: URL (img-src allows data:), and Save in the bar above carries the values back.
    answer('/admin/brand/preview', render, async (request, reply, admin, form) => {
      const changes = changesOf(request, form);
      const draft = await services.brand.draft(changes);
      const logoData = changes.logo ? Buffer.from(changes.logo).toString('base64') : undefined;
      const previewPage = drawnWith({
        ...currentPage(),
        brand: {
          name: draft.name,
          signInText: draft.signInText,
          logoSrc: draft.logo ? (logoData ? `data:${draft.logo.contentType};base64,${logoData}` : `/brand/logo?v=${draft.version}`) : null,
          stylesheetHref: draft.color ? `/admin/brand/preview.css?color=${draft.color.slice(1)}` : null,
          previewBar: brandPreviewBar(admin.csrf, { name: draft.name ?? '', signInText: draft.signInText ?? '', color: draft.color ?? '', logoData }),
        },
      }, () => loginPage({
        area: 'help-center', action: '/login', csrfToken: admin.csrf, returnTo: '/', showPasswordForm: true, buttons: [],
        forgotHref: '/password/forgot', registerHref: '/register',
      }));
      return send(reply, 200, previewPage);
    });
    // The preview's colour: any checked #rrggbb, nothing stored, for admins only (this scope).
    inner.get('/admin/brand/preview.css', async (request, reply) => {
      const color = `#${(request.query as { color?: string }).color ?? ''}`.toLowerCase();
      if (!HEX_COLOR.test(color)) throw new FrontdoorError('request.invalid', 'The preview colour must be 6-digit hex.');
      return reply.type('text/css; charset=utf-8').header('cache-control', 'private, max-age=3600').send(brandStylesheet(color));
    });
    // A reload of the preview (the browser dropped the form) goes back to the form.
    inner.get('/admin/brand/preview', async (_request, reply) => reply.code(303).header('location', '/admin/brand').send());

    confirmed('/admin/brand/logo/remove', async () => ({
      section: 'brand', title: t('console.confirm.logoTitle'), button: t('console.brand.removeLogo'), cancel: '/admin/brand',
      takes: [t('console.confirm.logoTakes')],
    }), async (request, admin) => {
      await services.brand.update({ logo: null }, admin.actor, request.ip);
      return '/admin/brand?notice=removed';
    });
  });
}

/**
 * The form as brand changes. Colour: the picker wins when it was moved (its value is not the
 * one the page showed), else the text field. Logo: an uploaded file, else the previewed logo's
 * base64 carried back by the preview's Save, else unchanged.
 */
function changesOf(request: FastifyRequest, form: Form): BrandChanges {
  const picked = form.color_picker && form.color_picker !== form.color_picker_shown ? form.color_picker : undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const file = body?.logo;
  let logo: Uint8Array | undefined;
  if (Buffer.isBuffer(file) && file.length > 0) logo = file;
  else if (form.logoData) {
    const data = form.logoData.replace(/\s+/g, '');
    if (!BASE64.test(data)) throw new FrontdoorError('brand.logo_invalid', 'The previewed logo came back damaged. Upload the file again.');
    logo = Buffer.from(data, 'base64');
  }
  return {
    name: form.name ?? undefined,
    signInText: form.signInText ?? undefined,
    color: picked ?? form.color ?? undefined,
    ...(logo ? { logo } : {}),
  };
}
