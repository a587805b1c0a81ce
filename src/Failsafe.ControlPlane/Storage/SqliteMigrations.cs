namespace Failsafe.ControlPlane.Storage;

/// <summary>
/// Numbered schema migrations for SQLite. Append only: a released migration is never edited,
/// a change is a new number. Timestamps are Unix milliseconds, booleans 0/1.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<string> All { get; } =
    [
        // 1: the first schema.
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER NULL);

        CREATE TABLE enrollment_tokens (
            hash TEXT PRIMARY KEY,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            used_at INTEGER NULL,
            used_by TEXT NULL);

        CREATE TABLE agents (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            enrolled_at INTEGER NOT NULL,
            last_seen_at INTEGER NULL,
            agent_version TEXT NULL,
            inventory_json TEXT NULL);

        CREATE TABLE agent_certificates (
            thumbprint TEXT PRIMARY KEY,
            agent_id TEXT NOT NULL REFERENCES agents(id),
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked_at INTEGER NULL);

        CREATE TABLE releases (
            service TEXT NOT NULL,
            version TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            file_count INTEGER NOT NULL,
            uncompressed_size INTEGER NOT NULL,
            pushed_at INTEGER NOT NULL,
            pushed_by TEXT NOT NULL,
            PRIMARY KEY (service, version));

        CREATE TABLE deployments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            service TEXT NOT NULL,
            version TEXT NOT NULL,
            state TEXT NOT NULL,
            batch_size INTEGER NOT NULL,
            no_rollback INTEGER NOT NULL,
            settings_json TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            reason TEXT NULL);

        -- One deployment per service at a time, whatever the application checks first.
        CREATE UNIQUE INDEX deployments_one_active_per_service
            ON deployments (service) WHERE state IN ('running', 'rolling-back');
        CREATE INDEX deployments_by_service ON deployments (service, id);

        CREATE TABLE deployment_hosts (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id),
            host TEXT NOT NULL,
            agent_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            batch INTEGER NOT NULL,
            state TEXT NOT NULL,
            previous_release TEXT NULL,
            target_release TEXT NULL,
            error TEXT NULL,
            task_id INTEGER NULL,
            rollback_task_id INTEGER NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (deployment_id, host));

        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id TEXT NOT NULL,
            deployment_id INTEGER NOT NULL,
            host TEXT NOT NULL,
            purpose TEXT NOT NULL,
            kind TEXT NOT NULL,
            service TEXT NOT NULL,
            version TEXT NULL,
            release_id TEXT NULL,
            artifact_sha256 TEXT NULL,
            artifact_size INTEGER NULL,
            settings_json TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            dispatched_at INTEGER NULL,
            completed_at INTEGER NULL,
            succeeded INTEGER NULL,
            error TEXT NULL,
            previous_release TEXT NULL,
            current_release TEXT NULL);
        CREATE INDEX tasks_open_by_agent ON tasks (agent_id, state);

        CREATE TABLE task_steps (
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            seq INTEGER NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            output TEXT NULL,
            PRIMARY KEY (task_id, seq));

        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            remote_address TEXT NULL,
            result TEXT NOT NULL,
            detail TEXT NULL);
        CREATE INDEX events_by_target ON events (target, id);
        """,

        // 2: an enrollment token may be made to replace one enrolled agent (a re-imaged host); others only enroll new names.
        """
        ALTER TABLE enrollment_tokens ADD COLUMN replaces TEXT NULL;
        """,

        // 3: progressive delivery. A deployment with a rollout keeps its policy, step and last verdict as one JSON document;
        // a host running a canary keeps the share of traffic the canary should take there (agents poll it).
        """
        ALTER TABLE deployments ADD COLUMN rollout_json TEXT NULL;
        ALTER TABLE deployment_hosts ADD COLUMN canary_weight INTEGER NULL;
        """,

        // 4: several replicas on one store. A lease names the replica that drives a piece of work (a deployment) until it
        // expires; the proxies' per-second samples live here so that whichever replica drives a rollout sees every host's.
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at INTEGER NOT NULL);

        CREATE TABLE traffic_samples (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id TEXT NOT NULL,
            service TEXT NOT NULL,
            release TEXT NOT NULL,
            end_at INTEGER NOT NULL,
            sample_json TEXT NOT NULL);
        CREATE INDEX traffic_samples_by_service ON traffic_samples (service, end_at);
        """,

        // 5: indexes for the hot paths of a large fleet. Long polls look up the agents with a pending task or a canary route
        // every second, and a host's own routes: without them, scans of every task and deployment_hosts row ever written.
        // Reading a deployment (the CLI follows one each second) gathers its tasks' steps: without an index, a scan of every task.
        """
        CREATE INDEX tasks_pending ON tasks (agent_id) WHERE state = 'pending';
        CREATE INDEX deployment_hosts_canary_by_agent ON deployment_hosts (agent_id) WHERE canary_weight IS NOT NULL;
        CREATE INDEX tasks_by_deployment ON tasks (deployment_id);
        """,
        // 6: everything as code. The applied configuration is one document (revision-numbered, replaced whole in one
        // transaction); secrets are sealed with AES-GCM (base64 of nonce|ciphertext|tag, with the id of the key that sealed
        // them); tokens carry roles for approval gates; a deployment may target an environment, and the one-at-a-time rule
        // becomes one per service and environment; approvals are rows; a lease may say why it is held (deploy locks); a deployment host carries the
        // variables resolved for it (values and the names of secrets, never a secret's value).
        """
        CREATE TABLE config_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            revision INTEGER NOT NULL,
            document_json TEXT NOT NULL,
            applied_at INTEGER NOT NULL,
            applied_by TEXT NOT NULL,
            commit_id TEXT NULL,
            source TEXT NULL);

        CREATE TABLE secrets (
            environment TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            key_id TEXT NOT NULL,
            sealed TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (environment, name));

        ALTER TABLE api_tokens ADD COLUMN roles TEXT NULL;

        ALTER TABLE deployments ADD COLUMN environment TEXT NULL;
        DROP INDEX deployments_one_active_per_service;
        CREATE UNIQUE INDEX deployments_one_active_per_service_environment
            ON deployments (service, COALESCE(environment, '')) WHERE state IN ('running', 'rolling-back');

        CREATE TABLE approvals (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id),
            approver TEXT NOT NULL,
            at INTEGER NOT NULL,
            comment TEXT NULL,
            PRIMARY KEY (deployment_id, approver));

        ALTER TABLE leases ADD COLUMN detail TEXT NULL;

        ALTER TABLE deployment_hosts ADD COLUMN variables_json TEXT NULL;
        """,
    ];
}
