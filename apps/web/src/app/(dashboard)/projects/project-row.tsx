'use client';

import { updateProjectRequest, type Project } from '@aius/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { Field, FormError } from '@/components/field';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useAction, useContractForm } from '@/lib/form';

interface ProjectRowProps {
  project: Project;
  onChanged: () => void;
  onDelete: () => void;
}

export function ProjectRow({ project, onChanged, onDelete }: ProjectRowProps) {
  const [editing, setEditing] = useState(false);
  const forking = useAction();
  const toast = useToast();
  const rename = useContractForm(updateProjectRequest, async (body) => {
    await call('updateProject', { params: { id: project.id }, body: { ...body, description: body.description || null } });
    setEditing(false);
    toast('Project saved');
    onChanged();
  });

  const fork = () => forking.run(() => call('forkProject', { params: { id: project.id } }).then((forked) => {
        toast(`Forked as “${forked.name}”`);
        onChanged();
      }),
    );

  if (editing) {
    return (
      <li className="list-item editing">
        <form className="rename-form" onSubmit={rename.onSubmit} noValidate aria-label={`Edit ${project.name}`}>
          <Field label="Project name" name="name" defaultValue={project.name} error={rename.errors.name} maxLength={255} autoFocus />
          <Field label="Description" name="description" defaultValue={project.description ?? ''} error={rename.errors.description} maxLength={10000} />
          <FormError message={rename.formError} />
          <div className="actions start">
            <button type="submit" className="btn primary small" disabled={rename.pending}>
              {rename.pending ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => {
                rename.clear();
                setEditing(false);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className="list-item" data-project={project.name}>
      <div className="list-main">
        <span className="list-title">{project.name}</span>
        {project.description ? <span className="description">{project.description}</span> : null}
        <span className="muted small">
          {project.forked_from_name !== null ? (
            <span className="lineage">
              Forked from “{project.forked_from_name}”{project.forked_from_id === null ? ' (deleted)' : ''} ·{' '}
            </span>
          ) : null}
          Updated {formatDate(project.updated_at)}
        </span>
        <FormError message={forking.error} />
      </div>
      <div className="list-actions">
        <Link className="btn small" href={`/projects/${project.id}/artifacts`} aria-label={`Artifacts of ${project.name}`}>
          Artifacts
        </Link>
        <button type="button" className="btn small" onClick={() => setEditing(true)} aria-label={`Rename ${project.name}`}>
          Rename
        </button>
        <button type="button" className="btn small" onClick={fork} disabled={forking.pending} aria-label={`Fork ${project.name}`}>
          {forking.pending ? 'Forking…' : 'Fork'}
        </button>
        <button type="button" className="btn danger-outline small" onClick={onDelete} aria-label={`Delete ${project.name}`}>
          Delete
        </button>
      </div>
    </li>
  );
}
