// The SQLite store's schema and its migrations.
//
// Version 0 is an empty database (a new or 0-byte file). Each migration step takes the file from
// the previous version to its own; `SQLiteStore` applies the steps above the file's version in one
// transaction and records the new version in `meta`. Add a step (never edit a shipped one) and
// raise `SQLiteStore.schemaVersion` to change the schema.
//
// Epochs and artifacts are WITHOUT ROWID tables: one B-tree keyed by the primary key, so a write
// touches one B-tree and reading a trial's epochs in order is a range scan of it. That key's
// leading column is `trial`, so it also serves as the index on epochs(trial) and artifacts(trial)
// (a separate one would only double the cost of every write). There are no other indexes.
enum SQLiteSchema {
    static let migrations: [(version: Int, sql: String)] = [
        (1, """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE sweeps (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            name        TEXT NOT NULL,
            seed        INTEGER NOT NULL,   -- UInt64 bit pattern
            spec_text   TEXT NOT NULL,
            created_at  REAL NOT NULL,      -- unix seconds
            environment TEXT NOT NULL       -- JSON object of strings
        );

        CREATE TABLE trials (
            "index"           INTEGER PRIMARY KEY,
            configuration     TEXT NOT NULL,     -- JSON object
            seed              INTEGER NOT NULL,  -- UInt64 bit pattern
            state             TEXT NOT NULL,     -- TrialState raw value
            rank              INTEGER,
            epochs            INTEGER NOT NULL,
            best_epoch        INTEGER,
            best_value        REAL,
            best_val_loss     REAL,
            best_val_accuracy REAL,
            message           TEXT,
            started_at        REAL,              -- unix seconds
            finished_at       REAL
        );

        CREATE TABLE epochs (
            trial          INTEGER NOT NULL REFERENCES trials ("index"),
            epoch          INTEGER NOT NULL,
            train_loss     REAL NOT NULL,        -- REAL columns hold the text 'NaN' for NaN
            train_accuracy REAL NOT NULL,
            val_loss       REAL NOT NULL,
            val_accuracy   REAL NOT NULL,
            learning_rate  REAL NOT NULL,
            seconds        REAL NOT NULL,
            PRIMARY KEY (trial, epoch)
        ) WITHOUT ROWID;

        CREATE TABLE artifacts (
            trial    INTEGER NOT NULL REFERENCES trials ("index"),
            kind     TEXT NOT NULL,
            path     TEXT NOT NULL,              -- relative to the run directory
            bytes    INTEGER NOT NULL,
            checksum INTEGER NOT NULL,           -- UInt64 bit pattern
            PRIMARY KEY (trial, kind)
        ) WITHOUT ROWID;

        CREATE TABLE ensembles (
            id         INTEGER PRIMARY KEY,
            method     TEXT NOT NULL,
            members    TEXT NOT NULL,            -- JSON array of trial indices
            weights    TEXT NOT NULL,            -- JSON array of numbers
            result     TEXT NOT NULL,            -- JSON object
            created_at REAL NOT NULL
        );
        """),
        // The task's further validation metrics of an epoch (val_auc, val_f1, …) as
        // `name=value;…` (RecordCodec.metricsText); NULL when it has none.
        (2, "ALTER TABLE epochs ADD COLUMN metrics TEXT;"),
        // Training health (issue 16): per layer per epoch on a fixed batch, and each epoch's
        // fixed-batch loss and predictions on the probe examples (EpochHealth).
        (3, """
        CREATE TABLE layer_health (
            trial           INTEGER NOT NULL REFERENCES trials ("index"),
            epoch           INTEGER NOT NULL,    -- 0: at initialisation
            layer           INTEGER NOT NULL,    -- index in the model's layer list
            name            TEXT NOT NULL,
            activation      TEXT NOT NULL,       -- the activation that follows, '' for none
            parameters      INTEGER NOT NULL,
            grad_norm       REAL NOT NULL,
            weight_norm     REAL NOT NULL,
            update_ratio    REAL NOT NULL,       -- 'NaN' at epoch 0
            activation_mean REAL NOT NULL,
            activation_std  REAL NOT NULL,
            dead_fraction   REAL NOT NULL,       -- 'NaN' unless a ReLU follows
            saturation      REAL NOT NULL,       -- 'NaN' unless tanh or sigmoid follows
            PRIMARY KEY (trial, epoch, layer)
        ) WITHOUT ROWID;

        CREATE TABLE epoch_probes (
            trial       INTEGER NOT NULL REFERENCES trials ("index"),
            epoch       INTEGER NOT NULL,
            loss        REAL NOT NULL,           -- on the fixed batch
            outputs     INTEGER NOT NULL,        -- per probe example
            predictions BLOB NOT NULL,           -- float32 little-endian, probe examples × outputs
            PRIMARY KEY (trial, epoch)
        ) WITHOUT ROWID;
        """),
        // `repeats:` (issue 20): each configuration's mean and spread over its repeats.
        (4, """
        CREATE TABLE configurations (
            "index" INTEGER PRIMARY KEY,         -- configuration index: trial ÷ repeats
            repeats INTEGER NOT NULL,            -- finished repeats with a finite value
            mean    REAL,                        -- of the sweep metric at each one's best epoch
            std     REAL                         -- sample standard deviation; NULL with fewer than two
        );
        """),
    ]
}

/// The SQL of every statement SQLiteStore prepares, by name.
enum SQL {
    static let tableCount = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
    static let objectCount = "SELECT count(*) FROM sqlite_master"
    static let schemaVersion = "SELECT value FROM meta WHERE key = 'schema_version'"
    static let setSchemaVersion = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)"

    static let begin = "BEGIN"
    static let beginImmediate = "BEGIN IMMEDIATE"
    static let commit = "COMMIT"
    static let rollback = "ROLLBACK"
    static let savepoint = "SAVEPOINT hpsearch_nested"
    static let release = "RELEASE hpsearch_nested"
    static let rollbackToSavepoint = "ROLLBACK TO hpsearch_nested"

    /// Inserts the sweep, or replaces it when the stored one has the same name (changes nothing otherwise).
    static let setSweep = """
        INSERT INTO sweeps (id, name, seed, spec_text, created_at, environment) VALUES (1, ?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (id) DO UPDATE SET seed = excluded.seed, spec_text = excluded.spec_text,
            created_at = excluded.created_at, environment = excluded.environment
        WHERE sweeps.name = excluded.name
        """
    static let sweep = "SELECT name, seed, spec_text, created_at, environment FROM sweeps WHERE id = 1"

    static let upsertTrial = """
        INSERT INTO trials ("index", configuration, seed, state, rank, epochs, best_epoch, best_value, best_val_loss,
                            best_val_accuracy, message, started_at, finished_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        ON CONFLICT ("index") DO UPDATE SET configuration = excluded.configuration, seed = excluded.seed,
            state = excluded.state, rank = excluded.rank, epochs = excluded.epochs, best_epoch = excluded.best_epoch,
            best_value = excluded.best_value, best_val_loss = excluded.best_val_loss,
            best_val_accuracy = excluded.best_val_accuracy, message = excluded.message,
            started_at = excluded.started_at, finished_at = excluded.finished_at
        """
    private static let trialColumns = """
        "index", configuration, seed, state, rank, epochs, best_epoch, best_value, best_val_loss, best_val_accuracy,
        message, started_at, finished_at
        """
    static let trial = "SELECT \(trialColumns) FROM trials WHERE \"index\" = ?1"
    static let trials = "SELECT \(trialColumns) FROM trials ORDER BY \"index\""

    static let appendEpoch = """
        INSERT OR REPLACE INTO epochs (trial, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, metrics)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """
    /// `appendEpoch` for `SQLiteStore.epochBatchRows` rows at once (parameters 9·k+1 … 9·k+9 for row k).
    static let appendEpochBatch = """
        INSERT OR REPLACE INTO epochs (trial, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, metrics)
        VALUES
        """ + (0..<SQLiteStore.epochBatchRows).map { k in
            "(" + (1...9).map { "?\(9 * k + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ",\n")
    private static let epochColumns = "trial, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, metrics"
    static let epochs = "SELECT \(epochColumns) FROM epochs WHERE trial = ?1 ORDER BY epoch"
    static let allEpochs = "SELECT \(epochColumns) FROM epochs ORDER BY trial, epoch"
    /// A schema-1 file opened read-only: epochs without the metrics column.
    private static let epochColumnsV1 = "trial, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds"
    static let epochsV1 = "SELECT \(epochColumnsV1) FROM epochs WHERE trial = ?1 ORDER BY epoch"
    static let allEpochsV1 = "SELECT \(epochColumnsV1) FROM epochs ORDER BY trial, epoch"

    static let deleteLayerHealth = "DELETE FROM layer_health WHERE trial = ?1 AND epoch = ?2"
    static let putLayerHealth = """
        INSERT INTO layer_health (trial, epoch, layer, name, activation, parameters, grad_norm, weight_norm, update_ratio,
                                  activation_mean, activation_std, dead_fraction, saturation)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        """
    static let putProbe = "INSERT OR REPLACE INTO epoch_probes (trial, epoch, loss, outputs, predictions) VALUES (?1, ?2, ?3, ?4, ?5)"
    private static let layerHealthColumns = """
        trial, epoch, layer, name, activation, parameters, grad_norm, weight_norm, update_ratio, activation_mean,
        activation_std, dead_fraction, saturation
        """
    static let layerHealth = "SELECT \(layerHealthColumns) FROM layer_health WHERE trial = ?1 ORDER BY epoch, layer"
    static let allLayerHealth = "SELECT \(layerHealthColumns) FROM layer_health ORDER BY trial, epoch, layer"
    static let probes = "SELECT trial, epoch, loss, outputs, predictions FROM epoch_probes WHERE trial = ?1 ORDER BY epoch"
    static let allProbes = "SELECT trial, epoch, loss, outputs, predictions FROM epoch_probes ORDER BY trial, epoch"

    static let putArtifact = "INSERT OR REPLACE INTO artifacts (trial, kind, path, bytes, checksum) VALUES (?1, ?2, ?3, ?4, ?5)"
    static let deleteArtifact = "DELETE FROM artifacts WHERE trial = ?1 AND kind = ?2"
    static let artifacts = "SELECT trial, kind, path, bytes, checksum FROM artifacts WHERE trial = ?1 ORDER BY kind"

    /// ?1 NULL assigns the next id (the largest + 1).
    static let putEnsemble = """
        INSERT OR REPLACE INTO ensembles (id, method, members, weights, result, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """
    static let ensembles = "SELECT id, method, members, weights, result, created_at FROM ensembles ORDER BY id"

    static let putConfiguration = "INSERT OR REPLACE INTO configurations (\"index\", repeats, mean, std) VALUES (?1, ?2, ?3, ?4)"
    static let configurations = "SELECT \"index\", repeats, mean, std FROM configurations ORDER BY \"index\""

    /// The statements behind the Store methods, by method, for tests that inspect their plans and costs.
    static let byOperation: [String: String] = [
        "setSweep": setSweep, "sweep": sweep,
        "upsertTrial": upsertTrial, "trial": trial, "trials": trials,
        "appendEpoch": appendEpoch, "appendEpochs": appendEpochBatch, "epochs": epochs, "allEpochs": allEpochs,
        "putArtifact": putArtifact, "artifacts": artifacts, "deleteArtifact": deleteArtifact,
        "putEnsemble": putEnsemble, "ensembles": ensembles, "putConfiguration": putConfiguration, "configurations": configurations,
        "appendHealth": putLayerHealth, "appendHealthProbe": putProbe, "appendHealthDelete": deleteLayerHealth,
        "health": layerHealth, "healthProbes": probes, "allHealth": allLayerHealth, "allHealthProbes": allProbes,
    ]
}
