// Types of recotap-mock/vitest/setup, a Vitest globalSetup module.
export default function setup(project: {
  provide(key: 'recotapMockUrl' | 'recotapMockAdminToken', value: string | null): void;
}): Promise<() => Promise<void>>;
