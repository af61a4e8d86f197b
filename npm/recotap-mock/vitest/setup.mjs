// recotap-mock/vitest/setup: a Vitest globalSetup module (`globalSetup:
// ['recotap-mock/vitest/setup']`). Starts one recotap-mock binary for the whole run (or uses the
// one RECOTAP_MOCK_URL names), provides its URL to the tests (inject('recotapMockUrl')), and
// stops it when the run ends.
import testSession from '../lib/test-session.cjs';

export default async function setup(project) {
  const mock = await testSession.startRunMock();
  // Vitest 2 passes a context with provide(); Vitest 3 and later a TestProject with provide().
  project.provide('recotapMockUrl', mock.url);
  project.provide('recotapMockAdminToken', mock.adminToken);
  return () => mock.stop();
}
