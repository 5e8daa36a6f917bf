// `hpsearch train`: train one configuration of a sweep file and print every epoch's metrics.
import ArgumentParser
import Foundation
import Search
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one configuration of a sweep (each parameter's default, else its median; --set overrides).",
        discussion: """
        Every epoch ends with a full pass over the validation split. The test split is read only with --evaluate-test. \
        --json keys: epochs, seconds, outcome, config, params, flops_per_example, images_per_second, and for the kept \
        epoch best_epoch, val_loss, val_accuracy (two classes: val_auc, val_f1; regression: val_rmse, val_mae, \
        val_r2 instead of val_accuracy); with --evaluate-test test_loss, test_accuracy (two classes: test_auc, \
        test_f1; regression: test_rmse, test_mae, test_r2 instead of test_accuracy); error when the run diverged; \
        health_flags: [{kind, epoch, layer, message}], what the per-layer training health flags (status --json's flags). \
        For regression val_loss and test_loss are the mean squared error of the standardised targets; rmse and \
        mae are in the targets' own units.
        """
    )

    @OptionGroup var sweep: SweepOptions

    @Option(help: "Epochs (default: the sweep's budget.max_epochs).")
    var epochs: Int?

    @Flag(help: "Evaluate the kept (best-epoch) weights on the test split at the end.")
    var evaluateTest = false

    @Flag(help: "Print one JSON object at the end on standard output (progress goes to standard error).")
    var json = false

    @Flag(help: "Print the model's layer table (layer, output shape, parameters, FLOPs per example) and stop, without training.")
    var summary = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        let (spec, configuration, config, data) = try sweep.load(log: logLine)
        let progress = TerminalProgress(output: json ? .standardError : .standardOutput)
        let trainer = try Trainer(config: config, data: data, seed: sweep.seed ?? spec.seed, maxEpochs: epochs ?? spec.budget.maxEpochs,
                                  patience: spec.earlyStopping.patience, minDelta: spec.earlyStopping.minDelta, metric: spec.metric)
        logLine("model: \(config.model.rawValue), \(trainer.cost.parameters) parameters, \(trainer.cost.flopsPerExample) FLOPs/example")
        if summary {
            print(try trainer.model.summary(input: [data.featureCount]).description)
            return
        }
        trainer.progress = progress
        var health: [EpochHealth] = []
        trainer.onHealth = { health.append($0) }
        let result = trainer.train()
        let flags = HealthRules().flags(health)
        var out: [String: Any] = [
            "epochs": result.history.count,
            "seconds": result.seconds,
            "outcome": result.state.rawValue,
            "config": configuration.values.mapValues(\.jsonValue),
            "params": trainer.cost.parameters,
            "flops_per_example": trainer.cost.flopsPerExample,
            "images_per_second": result.history.isEmpty ? 0 : result.history.map(\.examplesPerSecond).reduce(0, +) / Double(result.history.count),
        ]
        if let best = result.best {
            out["val_loss"] = best.validationLoss
            for (name, value) in best.metrics { out[name] = value.isFinite ? value : NSNull() }
            if !data.isRegression { out["val_accuracy"] = best.validationAccuracy }
            out["best_epoch"] = best.epoch
        }
        if let why = result.message { out["error"] = why }
        out["health_flags"] = flags.map { f -> [String: Any] in
            ["kind": f.kind.rawValue, "epoch": f.epoch, "layer": f.layer.map { $0 as Any } ?? NSNull(), "message": f.message]
        }
        let summary = "\(result.outcomeDescription) after \(result.history.count) epochs in \(String(format: "%.1f", result.seconds)) s"
            + (result.best.map { b in
                data.isRegression
                    ? String(format: "; best epoch %d: val_loss %.4f, val_rmse %.4g, val_mae %.4g, val_r2 %.4f", b.epoch, b.validationLoss,
                             b.metrics["val_rmse"] ?? .nan, b.metrics["val_mae"] ?? .nan, b.metrics["val_r2"] ?? .nan)
                    : String(format: "; best epoch %d: val_loss %.4f, val_acc %.4f", b.epoch, b.validationLoss, b.validationAccuracy)
            } ?? "")
        if evaluateTest {
            let test = trainer.evaluate(data.test)
            if !data.isRegression { out["test_accuracy"] = test.accuracy }
            out["test_loss"] = test.loss
            for (name, value) in test.metrics { out["test_" + name] = value.isFinite ? value : NSNull() }
            if json { logLine(summary) } else { print(summary) }
            let line = data.isRegression
                ? String(format: "test (%d examples): loss %.4f, rmse %.4g, mae %.4g, r2 %.4f", test.count, test.loss,
                         test.metrics["rmse"] ?? .nan, test.metrics["mae"] ?? .nan, test.metrics["r2"] ?? .nan)
                : String(format: "test (%d examples): loss %.4f, accuracy %.4f", test.count, test.loss, test.accuracy)
            if json { logLine(line) } else { print(line) }
        } else if json { logLine(summary) } else { print(summary) }
        let healthLine = flags.isEmpty ? "training health: no flags (per layer, on a fixed batch, every epoch)"
            : "training health: " + flags.map { "\($0.kind.rawValue): \($0.message)" }.joined(separator: "; ")
        if json { logLine(healthLine) } else { print(healthLine) }
        if json { try printJSON(out) }
        if result.state == .diverged { throw ExitCode(2) }
    }
}
