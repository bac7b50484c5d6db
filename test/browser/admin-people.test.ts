import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// An admin in Chromium (issue 18 part 3): adds a User, edits them, and imports Users from CSV
// through the dry run, with forms only (the console has no script).
describe('People in the admin console (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Page;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.usergroups.create('Customers');
    admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await admin.goto(`${server.url}/admin/people/users`);
    await submitPasswordForm(admin, 'ada@example.com', PASSWORD);
    assert.equal(new URL(admin.url()).pathname, '/admin/people/users');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('adds a User with a usergroup, then edits their name and email', async () => {
    await admin.getByLabel('Name (required)').fill('Robin Reader');
    await admin.getByLabel('Email (required)').fill('robin@example.com');
    await admin.getByLabel('Customers').check();
    await admin.getByRole('button', { name: 'Add User' }).click();
    assert.match(new URL(admin.url()).pathname, /^\/admin\/people\/users\/[0-9a-f-]{36}$/);
    assert.equal(await admin.getByRole('status').textContent(), 'Created.');
    assert.equal(await admin.getByRole('heading', { level: 1 }).textContent(), 'Robin Reader');
    assert.ok(await admin.getByLabel('Customers').isChecked());

    await admin.getByLabel('Name (required)').fill('Robin Renamed');
    await admin.getByLabel('Primary email (required)').fill('robin.r@example.com');
    await admin.getByRole('button', { name: 'Save name and email' }).click();
    assert.equal(await admin.getByRole('heading', { level: 1 }).textContent(), 'Robin Renamed');
    assert.match(await admin.getByRole('region', { name: 'Name and emails' }).textContent() ?? '', /robin\.r@example\.com \(primary\) · not verified/);
    const robin = (await server.services.people.findForSignIn('users', 'robin.r@example.com'))!.person;
    assert.equal(robin.name, 'Robin Renamed');
  });

  it('imports Users from CSV: the dry run shows the plan and refusals, applying shows the report', async () => {
    await admin.goto(`${server.url}/admin/people/users`);
    await admin.getByRole('link', { name: 'Import Users from CSV' }).click();
    await admin.getByLabel('CSV').fill('name,email,usergroups\nCarl Customer,carl@example.com,Customers\nRobin Renamed,robin.r@example.com,Customers\nNo Mail,nope,\n');
    await admin.getByRole('button', { name: 'Dry run' }).click();
    assert.equal(await admin.getByRole('heading', { level: 1 }).textContent(), 'Dry run: nothing changed yet');
    assert.match(await admin.getByRole('status').textContent() ?? '', /1 would be created, 0 updated, 1 unchanged; 1 refused/);
    assert.match(await admin.getByRole('region', { name: 'Rows refused' }).textContent() ?? '', /email_invalid/);
    assert.equal(await server.services.people.findForSignIn('users', 'carl@example.com'), undefined);

    await admin.getByRole('button', { name: 'Apply this plan' }).click();
    assert.equal(new URL(admin.url()).pathname, '/admin/people/users/import');
    assert.match(await admin.getByRole('status').textContent() ?? '', /1 were created, 0 updated, 1 unchanged; 1 refused/);
    // A reload shows the report again and imports nothing twice.
    await admin.reload();
    assert.match(await admin.getByRole('status').textContent() ?? '', /1 were created/);
    assert.equal((await server.services.audit.list({ action: 'people.imported' })).length, 1);
    const carl = (await server.services.people.findForSignIn('users', 'carl@example.com'))!.person;
    assert.deepEqual(carl.usergroups.map((g) => g.name), ['Customers']);
  });
});
