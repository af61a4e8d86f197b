// The code under test: pushes CRM accounts to Recotap (POST /accounts), retrying what the
// service asks to retry (429 after Retry-After, 5xx), as an integration would.

const ATTEMPTS = 3;

async function pushAccounts(baseUrl, apiKey, accounts, segmentId) {
  const body = {
    accounts: accounts.map(({ domain, name, contractValue }) => ({
      domain,
      name,
      ...(contractValue === undefined ? {} : { customFields: { CONTRACT_VALUE_C: contractValue } }),
    })),
    upsert: true,
    ...(segmentId ? { segmentId } : {}),
  };
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${baseUrl}/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    const retryable = response.status === 429 || response.status >= 500;
    if (retryable && attempt < ATTEMPTS) {
      const seconds = Number(response.headers.get('retry-after') ?? '0');
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    if (!response.ok) throw new Error(`Recotap refused the accounts: ${response.status}`);
    const { data } = await response.json();
    return data.summary;
  }
}

module.exports = { pushAccounts };
