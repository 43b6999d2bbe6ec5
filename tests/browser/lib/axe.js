// Every screen is scanned with axe; a serious or critical violation fails the test and
// names the rule and the elements, so the fix is findable.
const AxeBuilder = require('@axe-core/playwright').default;
const { expect } = require('@playwright/test');

async function expectAccessible(page, screen) {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(described, `accessibility on ${screen}`).toEqual([]);
}

module.exports = { expectAccessible };
