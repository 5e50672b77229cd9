// The compliance console's story in a real browser (Debian's Chromium driven
// by playwright-core): officer A proposes a hold on DeepSeek R1 for one
// jurisdiction and sees its impact, cannot approve it herself; officer B
// approves; the tenant's enablement shows suspended; the audit chain
// verifies. Every step asserts on what the page shows, and each screen is
// saved to screenshots/. Run by run.sh, which serves the demo.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const base = process.env.CONSOLE_URL;
const tokens = JSON.parse(process.env.CONSOLE_TOKENS);
const tenantId = process.env.CONSOLE_TENANT_ID;
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const TIMEOUT = 15000;

function step(text) {
  process.stderr.write(`-- ${text}\n`);
}

async function call(path, { token, method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// ---- setup through the API: Northwind uses DeepSeek R1 in eastus (US).
step('setup: Northwind enables DeepSeek R1 in eastus');
const r1 = await call('/v1/models/deepseek%2Fdeepseek-r1', { token: tokens.NORTHWIND_READER });
assert.equal(r1.status, 200, `DeepSeek R1 is in the demo catalog: ${JSON.stringify(r1.body)}`);
const enabled = await call(`/v1/tenants/${tenantId}/enablements`, {
  token: tokens.NORTHWIND_ADMIN,
  method: 'POST',
  headers: { 'Idempotency-Key': `console-story-${Date.now()}` },
  body: { model_id: r1.body.id, region: 'eastus', deployment_type: 'serverless' },
});
assert.equal(enabled.status, 201, `Northwind may enable R1 in eastus: ${JSON.stringify(enabled.body)}`);
assert.equal(enabled.body.status, 'active');

const userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1440, height: 1000 },
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(TIMEOUT);
const consoleErrors = [];
page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
page.on('pageerror', (error) => consoleErrors.push(String(error)));

/** Every form control on the screen has an accessible name (a label or aria-label). */
async function assertLabelled(name) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels?.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, [], `${name}: unlabelled controls`);
}

const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Every WCAG 2 A and AA rule axe-core checks (contrast included), on the
 *  screen as it is: none may fail. */
async function assertAccessible(name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }));
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target?.join(' ')}: ${v.nodes[0]?.failureSummary?.split('\n')[1] ?? ''}`);
  assert.ok(result.passes.length >= 10, `${name}: axe-core checked too little (${result.passes.length} rules passed)`);
  assert.deepEqual(found, [], `${name}: accessibility violations`);
  return result.passes.length;
}

async function shot(name, scrollTo) {
  await assertLabelled(name);
  const rules = await assertAccessible(name);
  step(`  ${name}: labelled, and ${rules} WCAG 2 A/AA rules of axe-core pass`);
  if (scrollTo) await page.locator(scrollTo).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

async function signIn(name, expectedSubject, tab = page) {
  await tab.goto(`${base}/console/#/signin`);
  if (await tab.locator('#sign-out').count()) {
    await tab.click('#sign-out');
  }
  await tab.fill('#token', tokens[name]);
  await tab.click('#signin-form button[type=submit]');
  await tab.locator('#who .who-name').filter({ hasText: expectedSubject }).waitFor();
}

let failed = false;
try {
  step('the console loads with its CSP and no token');
  const first = await page.goto(`${base}/console`);
  assert.equal(first.status(), 200);
  assert.match(first.headers()['content-security-policy'], /script-src 'self'/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  step(`first contentful paint: ${paint === null ? 'not reported' : `${Math.round(paint)} ms`}`);
  if (paint !== null) assert.ok(paint < 1000, `first paint under 1 s: ${paint} ms`);
  await shot('01-sign-in');

  step('officer A (ALICE) signs in and sees who she is');
  await signIn('ALICE', 'alice@modelmart');
  assert.match(await page.locator('#who').innerText(), /compliance\.officer/);
  await page.getByRole('heading', { name: 'Compliance holds' }).waitFor();
  await page.locator('#holds-results table, #holds-results .notice').first().waitFor();

  step('A proposes a hold on DeepSeek R1 for the US and sees the impact');
  await page.click('text=Propose a hold');
  await page.getByRole('heading', { name: 'Propose a compliance hold' }).waitFor();
  await page.fill('#scope-models', 'deepseek-r1');
  await page.locator('#scope-models-results button.suggestion', { hasText: /^deepseek\/deepseek-r1 / }).first().click();
  await page.locator('#scope-models-chosen li', { hasText: 'deepseek/deepseek-r1' }).waitFor();
  // An officer finds tenants by name (the directory is readable to officers);
  // none is picked, so the hold is for every tenant.
  await page.fill('#scope-tenants', 'North');
  await page.locator('#scope-tenants-results button.suggestion', { hasText: /Northwind/ }).first().waitFor();
  await page.fill('#scope-tenants', '');
  // By keyboard: type, wait for the suggestions, Enter takes the first (the exact code).
  await page.focus('#scope-jurisdictions');
  await page.keyboard.type('US');
  await page.locator('#scope-jurisdictions-results button.suggestion').first().filter({ hasText: /^US / }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('#scope-jurisdictions-chosen li', { hasText: 'US' }).waitFor();
  // The preview follows the scope: with the jurisdiction it counts Northwind's enablement.
  await page.locator('#impact-enablements .stat-value').filter({ hasText: /^[1-9]/ }).waitFor();
  await page.waitForFunction(() => {
    const impact = document.querySelector('#impact');
    return impact?.getAttribute('aria-busy') === 'false' && JSON.parse(impact.dataset.scope ?? '{}').jurisdictions?.includes('US');
  });
  const listings = Number((await page.locator('#impact-listings .stat-value').innerText()).replace(/,/g, ''));
  assert.ok(listings >= 1, `the preview covers R1: ${listings}`);
  assert.match(await page.locator('#impact').innerText(), /deepseek\/deepseek-r1/);
  assert.match(await page.locator('#impact').innerText(), /eastus/);
  await page.fill('#hold-legal', 'Internal memo 2026-114: export-control review of model weights.');
  await page.fill('#hold-notice', 'This model is not available in your jurisdiction under export-control rules.');
  await page.fill('#hold-reason', 'Counsel advice of 2026-11-28');
  await shot('03-propose-with-impact');
  await page.click('#propose-submit');
  await page.waitForURL(/#\/holds\/[0-9a-f-]{36}$/);
  const holdId = page.url().split('/').pop();
  await page.locator('#hold-status', { hasText: 'proposed' }).waitFor();

  step('A cannot approve her own hold: the button is disabled and says why');
  const approveByA = page.locator('#approve');
  await approveByA.waitFor();
  assert.equal(await approveByA.isDisabled(), true, 'the proposer\'s Approve button is disabled');
  assert.match(await page.locator('#approve-why').innerText(), /four-eyes/);
  assert.equal(await approveByA.getAttribute('aria-describedby'), 'approve-why');
  // The server agrees, and its refusal is shown as the problem's detail:
  // with the button forced on, A's click reaches the API and comes back 403.
  await page.evaluate(() => { document.querySelector('#approve').disabled = false; });
  await page.click('#approve');
  const refusal = page.locator('#decision-outcome .problem');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /403 self_approval_forbidden/);
  await page.goto(`${base}/console/#/holds/${holdId}?again=1`);
  await page.locator('#approve').waitFor();
  assert.equal(await page.locator('#approve').isDisabled(), true);
  assert.match(await page.locator('#hold-status').innerText(), /proposed/);
  await page.locator('#hold-impact .stat-value').first().waitFor();
  await shot('04-hold-proposer-cannot-approve');

  step('officer B (BOB) signs in and approves');
  await signIn('BOB', 'bob@modelmart');
  await page.goto(`${base}/console/#/holds?status=proposed`);
  await page.locator(`#holds-table a[href="#/holds/${holdId}"]`).waitFor();
  await shot('02-holds');
  await page.click(`#holds-table a[href="#/holds/${holdId}"]`);
  await page.locator('#hold-status', { hasText: 'proposed' }).waitFor();
  // A second tab (its own session) holds the proposal as it was before B decides.
  const stale = await context.newPage();
  stale.setDefaultTimeout(TIMEOUT);
  await signIn('BOB', 'bob@modelmart', stale);
  await stale.goto(`${base}/console/#/holds/${holdId}`);
  await stale.locator('#approve').waitFor();
  assert.equal(await page.locator('#approve').isDisabled(), false, 'B may approve');
  await page.fill('#decision-reason', 'Reviewed the impact: one tenant in eastus.');
  await page.click('#approve');
  await page.locator('#hold-status', { hasText: 'in effect' }).waitFor();
  assert.match(await page.locator('#hold-status').innerText(), /active/);
  assert.match(await page.locator('#decisions').innerText(), /Approved: 1 enablement\(s\) suspended/);
  assert.match(await page.locator('#about-h + dl').innerText(), /bob@modelmart/);
  await shot('05-hold-approved-by-b');
  // The stale tab's approval is refused by the server (its If-Match is old),
  // and the page shows the problem's status, code and detail.
  await stale.click('#approve');
  const staleProblem = stale.locator('#decision-outcome .problem');
  await staleProblem.waitFor();
  const staleText = await staleProblem.innerText();
  assert.match(staleText, /\((409|412) [a-z_]+\)/);
  step(`a stale tab's approval: ${staleText.split('\n')[0]}`);
  await stale.click('#reload-hold');
  await stale.locator('#hold-status', { hasText: 'in effect' }).waitFor();
  await stale.close();
  // The list's "in effect" filter is the API's: the hold is among the holds
  // in effect, and not among those that are not.
  await page.goto(`${base}/console/#/holds?in_effect=yes`);
  await page.locator(`#holds-table a[href="#/holds/${holdId}"]`).waitFor();
  // A fresh load (not a hash change), so the list waited for is the new one.
  await page.goto('about:blank');
  await page.goto(`${base}/console/#/holds?in_effect=no`);
  await page.locator('#holds-results .count').waitFor();
  assert.equal(await page.locator(`#holds-table a[href="#/holds/${holdId}"]`).count(), 0, 'not among holds not in effect');

  step('platform staff see the tenant\'s enablement suspended by the hold');
  await signIn('PLATFORM_ADMIN', 'support@modelmart');
  await page.goto(`${base}/console/#/tenants`);
  await page.locator('#tenants-table').waitFor();
  await page.locator('#tenants-table a', { hasText: 'Northwind' }).click();
  await page.locator('#enablements-table').waitFor();
  const row = page.locator('#enablements-table tbody tr', { hasText: 'eastus' });
  await row.locator('a', { hasText: 'deepseek/deepseek-r1' }).waitFor();
  assert.match(await row.innerText(), /suspended/);
  assert.equal(await row.locator(`a[href="#/holds/${holdId}"]`).count(), 1, 'the row links the suspending hold');
  await page.locator('#tenant-policy dl').waitFor();
  // Staff see what the tenant can and cannot enable as the tenant itself
  // does (GET /v1/tenants/{tenant_id}/models), with the reasons.
  await page.locator('#tenant-enableable table tbody tr').first().waitFor();
  assert.match(await page.locator('#tenant-enableable .count').innerText(), /visible to this tenant/);
  await shot('06-tenant-enablement-suspended');

  step('the catalog: search with facets, and R1\'s listing names the hold');
  await page.goto(`${base}/console/#/catalog?q=deepseek`);
  await page.locator('#catalog-table').waitFor();
  await page.locator('#facets fieldset').first().waitFor();
  await shot('07-catalog-search');
  await page.goto(`${base}/console/#/catalog/${encodeURIComponent('deepseek/deepseek-r1')}`);
  await page.locator('#offers-table').waitFor();
  await page.locator(`#covering-holds a[href="#/holds/${holdId}"]`).waitFor();
  assert.match(await page.locator('#covering-holds').innerText(), /in effect/);
  await page.locator('#derivatives ul, #derivatives p').first().waitFor();
  await shot('08-catalog-listing');

  step('the auditor sees the chain verified and the hold\'s timeline');
  await signIn('AUDITOR', 'auditor@modelmart');
  await page.goto(`${base}/console/#/audit`);
  await page.locator('#chain-result', { hasText: 'verifies' }).waitFor();
  await page.locator('#audit-table').waitFor();
  await shot('09-audit-chain-verified');
  await page.fill('#audit-target_id', holdId);
  await page.click('form.filters button[type=submit]');
  await page.locator('#audit-table tbody tr', { hasText: 'hold.approved' }).waitFor();
  assert.match(await page.locator('#audit-table').innerText(), /hold\.proposed/);
  await page.goto(`${base}/console/#/holds/${holdId}`);
  await page.locator('#timeline-events li', { hasText: 'enablement.suspended' }).waitFor();
  const timeline = await page.locator('#timeline-events').innerText();
  assert.match(timeline, /hold\.proposed by platform:alice@modelmart/);
  assert.match(timeline, /hold\.approved by platform:bob@modelmart/);
  await shot('10-hold-timeline', '#timeline-h');

  step('a tenant\'s own user sees what it can and cannot enable, with the reasons');
  await signIn('CONTOSO_READER', 'reader@demo');
  await page.goto(`${base}/console/#/tenants`);
  await page.locator('#tenant-enableable table').waitFor();
  const availability = await page.locator('#tenant-enableable table').innerText();
  assert.match(availability, /\bno\b/);
  assert.match(availability, /policy_/);
  assert.equal(await page.locator('#nav a[data-section="audit"]').isVisible(), false, 'no Audit link for a tenant reader');
  await page.locator('#tenant-policy dl').waitFor();
  await shot('11-tenant-own-view', '#enableable-h');

  step('officer B lifts the hold with a reason; the enablement is restored');
  await signIn('BOB', 'bob@modelmart');
  await page.goto(`${base}/console/#/holds/${holdId}`);
  await page.locator('#lift').waitFor();
  await page.click('#lift');
  // A lift needs a reason: the console says so before asking the API.
  await page.locator('#decision-outcome', { hasText: 'A reason is required to lift' }).waitFor();
  await page.fill('#decision-reason', 'Export-control review closed.');
  await page.click('#lift');
  await page.locator('#hold-status', { hasText: 'lifted' }).waitFor();
  assert.match(await page.locator('#decisions').innerText(), /Lifted: 1 enablement\(s\) restored/);
  const restored = await call(`/v1/tenants/${tenantId}/enablements/${enabled.body.id}`, { token: tokens.NORTHWIND_READER });
  assert.equal(restored.body.status, 'active');

  assert.deepEqual(consoleErrors.filter((e) => !/status of 40[34]/.test(e)), [], 'no script errors in the page');
  step('the story played as written');
} catch (error) {
  failed = true;
  console.error(error);
  await page.screenshot({ path: join(tmpdir(), 'console-failure.png'), fullPage: true }).catch(() => {});
  console.error(`page: ${page.url()}; a screenshot of the failure is in ${join(tmpdir(), 'console-failure.png')}`);
  if (consoleErrors.length) console.error('browser console errors:', consoleErrors);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
