// StatusJSON: `hpsearch status --json`, one JSON array of trials, the best first, each with its
// epochs: what a script needs in one call. The keys are an interface: `keys` documents them (in
// `status --help` and the README) and a test keeps the output, the list and the README in step.
import Foundation
import Search
import Storage

public enum StatusJSON {
    /// Each trial object's keys, in order, with what they hold. Absent values are null.
    public static let keys: [(name: String, meaning: String)] = [
        ("trial", "its index, from 0, in sampling order"),
        ("state", "pending, running, completed, early_stopped, pruned, stopped (a time budget, stop_when target or trial_time ended it after an epoch), diverged, failed or lost"),
        ("rank", "the MPI rank that ran it last; 0 in a one-process run"),
        ("seed", "its training seed"),
        ("epochs_finished", "epochs trained"),
        ("best_epoch", "the epoch whose weights were kept, best by the sweep metric"),
        ("value", "the sweep metric at best_epoch"),
        ("val_loss", "validation loss at best_epoch (regression: the standardised targets' mean squared error)"),
        ("val_accuracy", "validation accuracy at best_epoch (null for regression)"),
        ("config", "the sampled configuration, {parameter: value}"),
        ("message", "why it failed, diverged, was lost or was stopped"),
        ("configuration", "its configuration's index: trial ÷ repeats (the trial itself without repeats:)"),
        ("config_mean", "the mean of the sweep metric over its configuration's repeats (each at its best epoch); its own value without repeats:"),
        ("config_std", "their sample standard deviation; null with fewer than two values"),
        ("epochs", "[{epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, and val_auc, val_f1 for two classes, or val_rmse, val_mae, val_r2 for regression (accuracies null)}] per epoch, as `export` has them"),
        ("flags", "[{kind (dying_relu, vanishing_gradients, exploding_gradients, learning_rate_too_high or learning_rate_too_low), epoch (the first it was seen at; 0 is initialisation), layer (the model's layer index, null for the whole network), message}] from its training health, by the thresholds docs/training.md states"),
    ]

    /// With `status --trial N --json`: the one trial's object also has this key.
    public static let healthKey = (name: "health", meaning: "[{epoch (0: at initialisation), loss (on the fixed batch), layers: [{layer, name, activation, parameters, grad_norm, weight_norm, update_ratio, activation_mean, activation_std, dead_fraction, saturation}], probe_outputs, probe (predictions on the first 16 validation examples, row by row)}] per epoch; only with --trial")

    /// The `--help` paragraph: every key and its meaning.
    public static var help: String {
        "A JSON array of trials, best first (by the sweep metric; trials without a value last, by index). Keys of each trial: "
            + keys.map { "\($0.name) (\($0.meaning))" }.joined(separator: "; ")
            + ". With --trial N: that trial's object alone, with also \(healthKey.name) (\(healthKey.meaning))."
            + " Numbers are full precision; NaN and infinities are null."
    }

    /// The array for `input`'s trials, best first.
    public static func render(_ input: ReportInput) -> String {
        let byTrial = input.epochsByTrial, health = input.healthByTrial, metrics = SweepExport.metricNames(input)
        let groups = Dictionary(uniqueKeysWithValues: ConfigurationStatistics.all(input.trials, repeats: input.spec.repeats).map { ($0.index, $0) })
        return "[" + ordered(input.trials, metric: input.spec.metric).map {
            trialObject($0, input, epochs: byTrial[$0.index] ?? [], health: health[$0.index] ?? [], metrics: metrics,
                        group: groups[input.spec.configurationIndex(ofTrial: $0.index)])
        }.joined(separator: ",\n") + "]\n"
    }

    /// One trial's object (`keys`, in order) with its `healthKey` too: `status --trial N --json`.
    public static func trialObjectWithHealth(_ t: TrialRecord, _ input: ReportInput) -> String {
        let g = input.spec.configurationIndex(ofTrial: t.index)
        return trialObject(t, input, epochs: input.epochsByTrial[t.index] ?? [], health: input.healthByTrial[t.index] ?? [],
                           metrics: SweepExport.metricNames(input), withHealth: true,
                           group: ConfigurationStatistics.all(input.trials, repeats: input.spec.repeats).first { $0.index == g }) + "\n"
    }

    static func trialObject(_ t: TrialRecord, _ input: ReportInput, epochs trialEpochs: [EpochRecord], health records: [EpochHealth],
                            metrics: [String], withHealth: Bool = false, group: ConfigurationStatistics? = nil) -> String {
        let flags = HealthRules().flags(records).map { f in
            SweepExport.object([("kind", .string(f.kind.rawValue)), ("epoch", .int(f.epoch)), ("layer", SweepExport.Cell(f.layer)),
                                ("message", .string(f.message))])
        }
        let extra = withHealth ? ",\"health\":[" + records.map(healthObject).joined(separator: ",") + "]" : ""
        return {
            let config = t.configuration.values.sorted { $0.key < $1.key }.map { ($0.key, SweepExport.Cell($0.value)) }
            let epochs = trialEpochs.map { SweepExport.object(Array(zip(SweepExport.epochColumns + metrics, SweepExport.epochCells($0, metrics: metrics)))) }
            let fields: [(String, SweepExport.Cell)] = [
                ("trial", .int(t.index)), ("state", .string(t.state.rawValue)), ("rank", SweepExport.Cell(t.rank)), ("seed", .uint(t.seed)),
                ("epochs_finished", .int(t.epochs)), ("best_epoch", SweepExport.Cell(t.bestEpoch)), ("value", SweepExport.Cell(t.bestValue)),
                ("val_loss", SweepExport.Cell(t.bestValidationLoss)), ("val_accuracy", SweepExport.Cell(t.bestValidationAccuracy)),
            ]
            return String(SweepExport.object(fields).dropLast()) + ",\"config\":" + SweepExport.object(config)
                + ",\"message\":" + SweepExport.Cell(t.message).json
                + ",\"configuration\":\(input.spec.configurationIndex(ofTrial: t.index)),\"config_mean\":" + SweepExport.Cell(group?.mean ?? t.bestValue).json
                + ",\"config_std\":" + SweepExport.Cell(group?.standardDeviation).json + ",\"epochs\":[" + epochs.joined(separator: ",") + "]"
                + ",\"flags\":[" + flags.joined(separator: ",") + "]" + extra + "}"
        }()
    }

    static func healthObject(_ h: EpochHealth) -> String {
        let layers = h.layers.map { l in
            SweepExport.object([("layer", .int(l.layer)), ("name", .string(l.name)), ("activation", .string(l.activation)),
                                ("parameters", .int(l.parameters)), ("grad_norm", .double(l.gradientNorm)), ("weight_norm", .double(l.weightNorm)),
                                ("update_ratio", .double(l.updateRatio)), ("activation_mean", .double(l.activationMean)),
                                ("activation_std", .double(l.activationStd)), ("dead_fraction", .double(l.deadFraction)),
                                ("saturation", .double(l.saturation))])
        }
        return "{\"epoch\":\(h.epoch),\"loss\":" + SweepExport.Cell.double(h.loss).json + ",\"layers\":[" + layers.joined(separator: ",")
            + "],\"probe_outputs\":\(h.outputs),\"probe\":[" + h.probe.map { SweepExport.Cell.double(Double($0)).json }.joined(separator: ",") + "]}"
    }

    /// Best first by `metric`, then trials without a value by index.
    public static func ordered(_ trials: [TrialRecord], metric: MetricSpec) -> [TrialRecord] {
        trials.sorted { a, b in
            switch (a.bestValue, b.bestValue) {
            case let (x?, y?): return x == y ? a.index < b.index : metric.isBetter(x, than: y)
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.index < b.index
            }
        }
    }
}
