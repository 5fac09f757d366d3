'use client';

import type { AgentSummary } from '@aius/contracts';
import { Empty, LoadError, Loading } from '@/components/states';
import { formatDate } from '@/lib/format';
import { useQuery } from '@/lib/use-query';

/** How much of a system prompt the list shows before "Full system prompt". */
const SUMMARY_CHARS = 160;

/**
 * The agent configuration of spec §10 as the run loop uses it: each agent's newest version, its
 * prompt and tools, and how a run's model is chosen. Read only: agents are written with the CLI's
 * seeding script or AGENT_CONFIG_FILE. Upstreams (and their keys) are not part of the answer.
 */
export function AgentsSection() {
  const agents = useQuery('listAgents');
  const data = agents.data;
  return (
    <section className="card" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <p className="muted">
        What the run loop gives the CLI: each agent’s system prompt and tools, newest versions. They are configured with the CLI’s seeding script (POST /admin/prompts, /admin/tools, /admin/agents) or the server’s AGENT_CONFIG_FILE.
      </p>
      {agents.loading && !data ? <Loading /> : null}
      {agents.error ? <LoadError message={agents.error} onRetry={agents.reload} /> : null}
      {data ? (
        <p data-testid="run-loop-models">
          Default model: {data.run_loop.default_model ? <code>{data.run_loop.default_model}</code> : <span className="muted">none (RUN_DEFAULT_MODEL is not set)</span>}
          {' · '}at most {data.run_loop.max_iterations} model calls per run
          {Object.keys(data.run_loop.model_aliases).length > 0 ? (
            <>
              {' · '}aliases:{' '}
              {Object.entries(data.run_loop.model_aliases).map(([from, to], i) => (
                <span key={from}>
                  {i > 0 ? ', ' : ''}
                  <code>{from}</code> → <code>{to}</code>
                </span>
              ))}
            </>
          ) : null}
        </p>
      ) : null}
      {data && data.data.length === 0 ? (
        <Empty title="No agents configured">Until a “build” agent exists, the run loop refuses every run (the CLI is told no agent is configured).</Empty>
      ) : null}
      {data && data.data.length > 0 ? (
        <ul className="list" aria-label="Configured agents">
          {data.data.map((a) => (
            <AgentItem key={a.name} agent={a} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function AgentItem({ agent }: { agent: AgentSummary }) {
  const long = agent.system_prompt.length > SUMMARY_CHARS;
  return (
    <li className="list-item editing" aria-label={`Agent ${agent.name}`}>
      <div className="list-main">
        <span className="list-title">
          {agent.name} <span className="badge">v{agent.version}</span>
        </span>
        <span className="muted">
          {agent.prompt_name ? `Prompt “${agent.prompt_name}” v${agent.prompt_version ?? '?'}` : 'No prompt'} · updated {formatDate(agent.updated_at)}
        </span>
        <span>
          Tools:{' '}
          {agent.tools.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            agent.tools.map((t) => (
              <span key={t.name}>
                <span className="badge" title={t.description ?? undefined}>
                  {t.name} v{t.version}
                </span>{' '}
              </span>
            ))
          )}
        </span>
        {agent.system_prompt === '' ? (
          <span className="muted">Empty system prompt</span>
        ) : (
          <p className="description">{long ? `${agent.system_prompt.slice(0, SUMMARY_CHARS)}…` : agent.system_prompt}</p>
        )}
        {long ? (
          <details>
            <summary>Full system prompt ({agent.system_prompt.length.toLocaleString('en')} characters)</summary>
            <pre className="prompt-text">{agent.system_prompt}</pre>
          </details>
        ) : null}
      </div>
    </li>
  );
}
