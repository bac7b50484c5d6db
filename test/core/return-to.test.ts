import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeReturnTo } from '../../src/core/return-to.ts';

const site = new URL('https://help.example.com');

describe('safeReturnTo', () => {
  it('keeps paths on PUBLIC_URL with their query and fragment', () => {
    assert.equal(safeReturnTo('/articles/1?x=2#top', site), '/articles/1?x=2#top');
    assert.equal(safeReturnTo('https://help.example.com/account', site), '/account');
  });

  it('falls back for everything that could leave the site', () => {
    const hostile = [
      'https://evil.example.net/',
      '//evil.example.net/x',
      '/\\evil.example.net',
      '\\\\evil.example.net',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>',
      'https://help.example.com.evil.net/',
      'https://help.example.com@evil.net/',
      'http://help.example.com/',
      '/\t/evil.example.net',
      '/%0a/evil',
      'articles/1',
      '',
      undefined,
      42,
      `/${'a'.repeat(3000)}`,
    ];
    for (const value of hostile) {
      const result = safeReturnTo(value, site, '/home');
      assert.ok(result === '/home' || (result.startsWith('/') && !result.startsWith('//')), `${String(value)} gave ${result}`);
      if (typeof value === 'string' && !value.startsWith('/%0a')) assert.equal(result, '/home', String(value));
    }
  });

  it('stays under the base path when PUBLIC_URL has one', () => {
    const nested = new URL('https://example.com/help');
    assert.equal(safeReturnTo('/help/articles/1', nested), '/help/articles/1');
    assert.equal(safeReturnTo('/admin', nested, '/help'), '/help');
    assert.equal(safeReturnTo('/helpdesk-evil', nested, '/help'), '/help');
  });
});
