/** The first-call examples, with this server's base URL and the caller's new token filled in. */
export interface Snippet {
  id: string;
  label: string;
  code: string;
}

export function firstCallSnippets(baseUrl: string, token: string, model: string): Snippet[] {
  return [
    {
      id: 'curl',
      label: 'curl',
      code: [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer ${token}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
      ].join('\n'),
    },
    {
      id: 'python',
      label: 'Python (OpenAI SDK)',
      code: [
        'from openai import OpenAI',
        '',
        `client = OpenAI(base_url="${baseUrl}", api_key="${token}")`,
        'reply = client.chat.completions.create(',
        `    model="${model}",`,
        '    messages=[{"role": "user", "content": "Hello!"}],',
        ')',
        'print(reply.choices[0].message.content)',
      ].join('\n'),
    },
    {
      id: 'javascript',
      label: 'JavaScript (OpenAI SDK)',
      code: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: '${baseUrl}', apiKey: '${token}' });`,
        'const reply = await client.chat.completions.create({',
        `  model: '${model}',`,
        "  messages: [{ role: 'user', content: 'Hello!' }],",
        '});',
        'console.log(reply.choices[0].message.content);',
      ].join('\n'),
    },
    {
      id: 'cli',
      label: 'CLI / environment',
      code: [
        '# Any OpenAI-compatible tool reads these',
        `export OPENAI_BASE_URL=${baseUrl}`,
        `export OPENAI_API_KEY=${token}`,
        '',
        '# and the AIUS API itself, e.g. your organizations:',
        `curl -H "Authorization: Bearer ${token}" ${baseUrl}/clients`,
      ].join('\n'),
    },
  ];
}
