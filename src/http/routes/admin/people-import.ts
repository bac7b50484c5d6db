import type { ImportReport } from '../../../core/people-import.ts';
import { importPage, importPlanPage } from '../../pages/admin/people-import.ts';
import { frameOf, send, type AdminConsole, type Render } from './console.ts';

// CSV import of Users: the form, the dry run's plan (a POST whose answer is a page, changing
// nothing, so a reload only asks again), and applying that plan, which redirects to a report
// read back from its audit event (POST-redirect-GET: a reload never imports twice).

const IMPORT_PATH = '/admin/people/users/import';
const Fingerprint = /^[A-Za-z0-9_-]{1,100}$/;

export function registerPeopleImportRoutes({ services, page, action, answer }: AdminConsole): void {
  const form: Render = async (request, _reply, admin, state) => {
    const done = (request.query as { done?: string } | undefined)?.done;
    let report: ImportReport | undefined;
    if (done && Fingerprint.test(done)) {
      const events = await services.audit.list({ action: 'people.imported', actorId: admin.person.id, limit: 50 });
      const event = events.find((e) => e.details.fingerprint === done);
      if (event) report = event.details as ImportReport;
    }
    return importPage(frameOf(admin, state), report);
  };
  page(IMPORT_PATH, form);
  answer(`${IMPORT_PATH}/dry-run`, form, async (_request, reply, admin, values) => {
    const csv = values.csv ?? '';
    const plan = await services.peopleImport.plan(csv);
    return send(reply, 200, importPlanPage(frameOf(admin, {}), csv, plan));
  });
  action(`${IMPORT_PATH}/apply`, form, async (request, admin, values) => {
    const applied = await services.peopleImport.apply(values.csv ?? '', values.plan ?? '', admin.actor, request.ip);
    return `${IMPORT_PATH}?done=${applied.fingerprint}`;
  });
}
