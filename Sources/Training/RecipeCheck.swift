// RecipeCheck: the training recipe's sanity checks, run before a sweep spends a cluster.
//   1 data look            class counts, imbalance, feature range, NaN/Inf, exact duplicates
//   2 loss at init         ≈ the entropy of the class priors (−ln(1/C) when balanced); regression:
//                          ≈ the targets' variance about the training mean (predicting the mean)
//   3 input-independent    zeroed inputs, same short budget: must end clearly worse (regression:
//                          also than predicting the training mean)
//   4 overfit one batch    a handful of examples to ~zero loss and 100% accuracy (regression: MSE
//                          of standardised targets < 0.01)
//   5 gradient check       tape vs central differences on a tiny instance of the model
//   6 batch independence   example i's output has zero gradient w.r.t. every other example
//   7 loss decreases       over the first training steps
//   8 baselines to beat    the dumb baseline (majority class / training mean), a linear model
//                          (softmax / linear regression, the same optimizer and batches) and the
//                          sweep file's human_baseline, on the whole validation split
import Datasets
import Foundation
import NN
import Search
import TensorCore

public struct RecipeCheck {
    public var data: PreparedData
    public var config: TrainingConfig
    public var seed: UInt64
    /// Builds the network for a config; `ModelBuilder` by default. Tests substitute broken
    /// models to prove each check can fail.
    public var makeModel: (TrainingConfig, inout RNG) throws -> any Layer
    /// Steps of the short training budget used by checks 3 and 7.
    public var baselineSteps = 150
    public var decreaseSteps = 50
    /// Examples in the batch check 4 must memorise (2–16).
    public var overfitExamples = 8
    public var overfitSteps = 400
    /// Optimisation steps of check 8's linear model at most (it trains two epochs, at least 200 steps).
    public var linearSteps = 2000
    /// The sweep file's `human_baseline` (validation metrics by name), shown by check 8.
    public var humanBaseline: [String: Double] = [:]

    public init(data: PreparedData, config: TrainingConfig, seed: UInt64) {
        self.data = data
        self.config = config
        self.seed = seed
        self.makeModel = { config, rng in try ModelBuilder.build(config, for: data, rng: &rng).model }
    }

    /// The config stripped of what fights memorisation and of nondeterminism between calls.
    var plainConfig: TrainingConfig {
        var c = config
        c.dropout = 0
        c.weightDecay = 0
        c.labelSmoothing = 0
        c.augment = .none
        c.schedule = .constant
        c.warmupEpochs = 0
        // A layer list's dropout rates come from its own arguments, not from `dropout`.
        c.layers = c.layers.map { Self.mapLayers($0) { op in if case .dropout = op { return .dropout(rate: 0) }; return op } }
        return c
    }

    /// `layers` with `transform` applied to every layer, residual bodies included.
    static func mapLayers(_ layers: [ConcreteLayer], _ transform: (ConcreteLayer.Operation) -> ConcreteLayer.Operation) -> [ConcreteLayer] {
        layers.map { layer in
            var l = layer
            if case .residual(let body) = layer.operation {
                l.operation = .residual(mapLayers(body, transform))
            } else {
                l.operation = transform(layer.operation)
            }
            return l
        }
    }

    func model(_ c: TrainingConfig, stream: UInt64) throws -> any Layer {
        var rng = RNG(seed: seed, stream: stream)
        return try makeModel(c, &rng)
    }

    /// Runs every check in order; `announce` hears each one's name as it starts.
    public func runAll(announce: (String) -> Void = { _ in }) -> [CheckResult] {
        let checks: [(String, () throws -> CheckResult)] = [
            ("data look", dataLook), ("loss at init", lossAtInit), ("input-independent baseline", baseline),
            ("overfit one batch", overfitOneBatch), ("gradient check", gradientCheck),
            ("batch independence", batchIndependence), ("loss decreases", lossDecreases),
            ("baselines to beat", baselines), ("gradient flow at init", gradientFlow),
        ]
        return checks.enumerated().map { i, check in
            announce(check.0)
            do { return try check.1() } catch {
                return CheckResult(id: i + 1, name: check.0, status: .fail, summary: "could not run: \(error)")
            }
        }
    }

    // MARK: 1. data

    public func dataLook() -> CheckResult {
        if data.isRegression { return regressionDataLook() }
        let train = data.train
        let counts = train.classCounts
        let present = counts.filter { $0 > 0 }
        let imbalance = Double(present.max() ?? 0) / Double(max(present.min() ?? 1, 1))
        var lo = Float.infinity, hi = -Float.infinity, nonFinite = 0
        for split in [train, data.validation, data.test] {
            for v in split.features {
                if v.isFinite { lo = min(lo, v); hi = max(hi, v) } else { nonFinite += 1 }
            }
        }
        let within = Self.duplicates(in: train)
        let across = Self.duplicates(of: data.test, in: train)
        let acrossShare = Double(across.rows) / Double(max(data.test.count, 1))
        let withinShare = Double(within.rows) / Double(max(train.count, 1))
        var status = CheckResult.Status.pass
        var hints: [String] = []
        if nonFinite > 0 { status = .fail; hints.append("\(nonFinite) NaN/Inf feature values: clean or impute them") }
        if present.count < 2 || present.count < counts.count {
            status = .fail; hints.append("classes absent from the training split: \(counts.enumerated().filter { $0.1 == 0 }.map { String($0.0) })")
        }
        if status != .fail {
            if imbalance > 10 { status = .warn; hints.append("classes are imbalanced \(String(format: "%.1f", imbalance)):1; consider class weights or a stratified metric") }
            if acrossShare > 0.005 { status = .warn; hints.append("\(across.rows) test rows also occur in train: test accuracy is optimistic") }
            if withinShare > 0.01 { status = .warn; hints.append("\(within.rows) duplicated training rows") }
            if within.conflicts > 0 { status = .warn; hints.append("\(within.conflicts) duplicated training rows carry different labels (label noise)") }
        }
        var summary = "task: classification; " + String(format: "%d train / %d val / %d test, %d classes (%d…%d per class, imbalance %.2f:1), features in [%.3g, %.3g], %d NaN/Inf, %d duplicate rows in train (%d with conflicting labels), %d test rows also in train",
                             train.count, data.validation.count, data.test.count, counts.count, present.min() ?? 0, present.max() ?? 0,
                             imbalance, lo, hi, nonFinite, within.rows, within.conflicts, across.rows)
        var columnValues: [String: Double] = [:]
        if let table = data.summary, !table.columns.isEmpty {
            let look = Self.columnLook(table)
            summary += look.text
            columnValues = look.values
        }
        return CheckResult(id: 1, name: "data", status: status, summary: summary,
                           values: ["train": Double(train.count), "validation": Double(data.validation.count), "test": Double(data.test.count),
                                    "classes": Double(counts.count), "imbalance": imbalance, "min_feature": Double(lo), "max_feature": Double(hi),
                                    "non_finite": Double(nonFinite), "duplicates_train": Double(within.rows),
                                    "duplicate_label_conflicts": Double(within.conflicts), "duplicates_train_test": Double(across.rows)]
                               .merging(columnValues) { a, _ in a },
                           hint: hints.isEmpty ? nil : hints.joined(separator: "; "))
    }

    /// The data look of a regression: rows, targets (training mean, std and range in their units),
    /// feature range, NaN/Inf and duplicates, and the table's columns.
    func regressionDataLook() -> CheckResult {
        let train = data.train, t = train.targets!
        var lo = Float.infinity, hi = -Float.infinity, nonFinite = 0
        for split in [train, data.validation, data.test] {
            for v in split.features {
                if v.isFinite { lo = min(lo, v); hi = max(hi, v) } else { nonFinite += 1 }
            }
        }
        var targetText: [String] = []
        var constant: [String] = []
        for j in 0..<t.width {
            let values = (0..<train.count).map { t.value(row: $0, target: j) }
            let (mn, mx) = (values.min() ?? 0, values.max() ?? 0)
            if mn == mx { constant.append(t.names[j]) }
            targetText.append(String(format: "%@ mean %.4g, std %.4g, range [%.4g, %.4g]", t.names[j], t.mean[j], t.std[j], mn, mx))
        }
        let within = Self.duplicates(in: train), across = Self.duplicates(of: data.test, in: train)
        var status = CheckResult.Status.pass
        var hints: [String] = []
        if nonFinite > 0 { status = .fail; hints.append("\(nonFinite) NaN/Inf feature values: clean or impute them") }
        if !constant.isEmpty { status = .fail; hints.append("constant targets in the training split: \(constant.joined(separator: ", ")); there is nothing to learn") }
        if status != .fail {
            if Double(across.rows) / Double(max(data.test.count, 1)) > 0.005 { status = .warn; hints.append("\(across.rows) test rows also occur in train: test error is optimistic") }
            if Double(within.rows) / Double(max(train.count, 1)) > 0.01 { status = .warn; hints.append("\(within.rows) duplicated training rows") }
        }
        var summary = "task: regression; " + String(format: "%d train / %d val / %d test, %d target%@ (standardised on the training split; reported in their units): ",
                                                    train.count, data.validation.count, data.test.count, t.width, t.width == 1 ? "" : "s")
            + targetText.joined(separator: "; ")
            + String(format: "; features in [%.3g, %.3g], %d NaN/Inf, %d duplicate rows in train, %d test rows also in train", lo, hi, nonFinite, within.rows, across.rows)
        var values: [String: Double] = ["train": Double(train.count), "validation": Double(data.validation.count), "test": Double(data.test.count),
                                        "targets": Double(t.width), "min_feature": Double(lo), "max_feature": Double(hi), "non_finite": Double(nonFinite),
                                        "duplicates_train": Double(within.rows), "duplicates_train_test": Double(across.rows)]
        if let table = data.summary, !table.columns.isEmpty {
            let (text, columnValues) = Self.columnLook(table)
            summary += text
            values.merge(columnValues) { a, _ in a }
        }
        return CheckResult(id: 1, name: "data", status: status, summary: summary, values: values,
                           hint: hints.isEmpty ? nil : hints.joined(separator: "; "))
    }

    /// What the data pipeline did to a table's columns (fitted on the training split), for the data look.
    static func columnLook(_ table: DataSummary) -> (text: String, values: [String: Double]) {
        let categorical = table.columns.filter { $0.kind == .categorical }, imputed = table.columns.filter(\.missingIndicator)
        let missing = table.missingCells, unseen = table.unseenCells
        let text = "; columns: \(table.columns.count - categorical.count) numeric, \(categorical.count) categorical (one-hot"
            + (categorical.isEmpty ? "" : ": " + categorical.map(\.name).joined(separator: ", ")) + ")"
            + "; missing cells \(missing.train) train / \(missing.validation) val / \(missing.test) test"
            + (imputed.isEmpty ? "" : " (imputed with training medians + indicators: \(imputed.map(\.name).joined(separator: ", ")))")
            + "; unseen categories \(unseen.validation) val / \(unseen.test) test (zero vectors)"
        return (text, ["categorical_columns": Double(categorical.count), "missing_cells": Double(missing.train + missing.validation + missing.test),
                       "unseen_categories": Double(unseen.validation + unseen.test)])
    }

    /// Rows of `data` equal (bit for bit) to an earlier row; `conflicts` counts those whose label differs.
    static func duplicates(in data: Dataset) -> (rows: Int, conflicts: Int) {
        var firstByHash: [UInt64: [Int]] = [:]
        var rows = 0, conflicts = 0
        for r in 0..<data.count {
            let h = rowHash(data, r)
            if let earlier = firstByHash[h], let match = earlier.first(where: { sameRow(data, $0, data, r) }) {
                rows += 1
                if data.labels[match] != data.labels[r] { conflicts += 1 }
            } else {
                firstByHash[h, default: []].append(r)
            }
        }
        return (rows, conflicts)
    }

    /// Rows of `probe` that also occur in `reference`.
    static func duplicates(of probe: Dataset, in reference: Dataset) -> (rows: Int, conflicts: Int) {
        var byHash: [UInt64: [Int]] = [:]
        for r in 0..<reference.count { byHash[rowHash(reference, r), default: []].append(r) }
        var rows = 0, conflicts = 0
        for r in 0..<probe.count {
            if let candidates = byHash[rowHash(probe, r)], let match = candidates.first(where: { sameRow(reference, $0, probe, r) }) {
                rows += 1
                if reference.labels[match] != probe.labels[r] { conflicts += 1 }
            }
        }
        return (rows, conflicts)
    }

    static func rowHash(_ d: Dataset, _ r: Int) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for i in r * d.featureCount..<(r + 1) * d.featureCount {
            h = (h ^ UInt64(d.features[i].bitPattern)) &* 0x100000001b3
        }
        return h
    }

    static func sameRow(_ a: Dataset, _ i: Int, _ b: Dataset, _ j: Int) -> Bool {
        let n = a.featureCount
        return a.features[i * n..<(i + 1) * n].elementsEqual(b.features[j * n..<(j + 1) * n])
    }

    // MARK: 2. loss at init

    public func lossAtInit() throws -> CheckResult {
        let net = try model(config, stream: 1)
        let sample = data.validation.slice(0..<min(2000, data.validation.count))
        let loss = Trainer.evaluate(net, sample).loss
        if let t = sample.targets {
            // Output bias at the training mean and small output weights: the first predictions are
            // the mean, so the loss (MSE of standardised targets) is the sample's spread about it.
            // The check is on the predictions themselves (a random start correlates with the targets
            // by chance, which moves the loss by up to 2·spread·σ): their mean within 0.1 of the
            // training mean and their spread below 0.3, in standardised units.
            let means = ModelBuilder.shape(of: data).targetMeans ?? []
            let out = Trainer.evaluate(net, sample).predictions
            let expected = meanPredictionMSE(sample)
            var offset = 0.0, spread = 0.0
            for j in 0..<t.width {
                var m = 0.0, sq = 0.0
                for r in 0..<sample.count {
                    let z = (Double(out[r * t.width + j]) - t.mean[j]) / t.std[j]
                    m += z; sq += z * z
                }
                m /= Double(max(sample.count, 1))
                offset = max(offset, Swift.abs(m - Double(means[j])))
                spread = max(spread, max(sq / Double(max(sample.count, 1)) - m * m, 0).squareRoot())
            }
            let ok = offset <= 0.1 && spread <= 0.3
            return CheckResult(id: 2, name: "init_loss", status: ok ? .pass : .fail,
                               summary: String(format: "MSE at init %.4f (standardised targets); predicting the mean gives %.4f; the first predictions are %.3f from the training mean with spread %.3f (needs ≤ 0.1 and ≤ 0.3, standardised)",
                                               loss, expected, offset, spread),
                               values: ["loss": loss, "expected": expected, "mean_offset": offset, "spread": spread],
                               hint: ok ? nil : "the first predictions are far from the mean: start the output bias at the target mean and its weights small")
        }
        let counts = data.train.classCounts.map(Double.init), total = counts.reduce(0, +)
        let expected = -counts.reduce(0.0) { $1 > 0 ? $0 + ($1 / total) * Foundation.log($1 / total) : $0 }
        let uniform = Foundation.log(Double(data.classCount))
        let tolerance = 0.1 * expected + 0.05
        let ok = Swift.abs(loss - expected) <= tolerance
        return CheckResult(id: 2, name: "init_loss", status: ok ? .pass : .fail,
                           summary: String(format: "loss at init %.4f; expected %.4f (entropy of the class priors; −ln(1/%d) = %.4f), tolerance ±%.3f",
                                           loss, expected, data.classCount, uniform, tolerance),
                           values: ["loss": loss, "expected": expected, "ln_classes": uniform, "tolerance": tolerance],
                           hint: ok ? nil : "the output layer starts too confident: initialise its bias from the class priors and its weights small")
    }

    /// The MSE (standardised targets) of predicting the training mean for every row of `split`.
    func meanPredictionMSE(_ split: Dataset) -> Double {
        guard let t = split.targets else { return .nan }
        let means = ModelBuilder.shape(of: data).targetMeans ?? [Float](repeating: 0, count: t.width)
        var total = 0.0
        for r in 0..<split.count { for j in 0..<t.width { let d = Double(t.values[r * t.width + j] - means[j]); total += d * d } }
        return total / Double(max(split.count * t.width, 1))
    }

    // MARK: 3. input-independent baseline

    public func baseline() throws -> CheckResult {
        func zeroed(_ d: Dataset) -> Dataset { var z = d; z.features = [Float](repeating: 0, count: d.features.count); return z }
        let validation = data.validation.slice(0..<min(5000, data.validation.count))
        let real = try model(config, stream: 1), blind = try model(config, stream: 1)
        _ = trainSteps(real, on: data.train, steps: baselineSteps, config: config)
        _ = trainSteps(blind, on: zeroed(data.train), steps: baselineSteps, config: config)
        let realLoss = Trainer.evaluate(real, validation).loss
        let blindLoss = Trainer.evaluate(blind, zeroed(validation)).loss
        let margin = max(0.05, 0.05 * blindLoss)
        if validation.isRegression {
            // The dumb baseline of a regression: predict the training mean.
            let meanLoss = meanPredictionMSE(validation)
            let bar = min(blindLoss, meanLoss)
            let ok = realLoss < bar - max(0.05, 0.05 * bar)
            return CheckResult(id: 3, name: "baseline", status: ok ? .pass : .fail,
                               summary: String(format: "validation MSE (standardised) after %d steps: real inputs %.4f, zeroed inputs %.4f, predicting the training mean %.4f (real must be lower than both by ≥ %.3f)",
                                               baselineSteps, realLoss, blindLoss, meanLoss, max(0.05, 0.05 * bar)),
                               values: ["real_loss": realLoss, "zeroed_loss": blindLoss, "mean_loss": meanLoss, "margin": max(0.05, 0.05 * bar),
                                        "steps": Double(baselineSteps)],
                               hint: ok ? nil : "the model does no better than predicting the mean: check that features and targets line up and that inputs reach the model")
        }
        let ok = realLoss < blindLoss - margin
        return CheckResult(id: 3, name: "baseline", status: ok ? .pass : .fail,
                           summary: String(format: "validation loss after %d steps: real inputs %.4f, zeroed inputs %.4f (must be lower by ≥ %.3f)",
                                           baselineSteps, realLoss, blindLoss, margin),
                           values: ["real_loss": realLoss, "zeroed_loss": blindLoss, "margin": margin, "steps": Double(baselineSteps)],
                           hint: ok ? nil : "the model learns nothing from its inputs: check that features and labels line up (shuffled labels?) and that inputs reach the model")
    }

    // MARK: 4. overfit one batch

    public func overfitOneBatch() throws -> CheckResult {
        let n = min(max(overfitExamples, 2), 16, data.train.count)
        let batch = data.train.slice(0..<n)
        var c = plainConfig
        c.learningRate = max(c.learningRate, 1e-3)
        let net = try model(c, stream: 1)
        let optimizer = Trainer.makeOptimizer(c)
        let x = Tensor(shape: [n, batch.featureCount], data: batch.features)
        var loss = Double.infinity, accuracy = 0.0, steps = 0
        let parameters = net.parameters
        net.isTraining = true
        let lossKind = c.loss.resolved(regression: data.isRegression)
        while steps < overfitSteps {
            let logits = net(x)
            let l = lossKind.batchLoss(logits, dataset: batch, labels: batch.labels, indices: 0..<n)
            loss = Double(l.item)
            if batch.isRegression {
                // The check's figure is the MSE (standardised) whatever loss trains.
                loss = Double(Loss.mse(logits, Tensor(shape: logits.shape, data: batch.targetRows(0..<n))).item)
                accuracy = loss < 0.01 ? 1 : 0
            } else {
                accuracy = Double(Trainer.correctCount(logits, batch.labels)) / Double(n)
            }
            if loss < 0.01 && accuracy == 1 || !loss.isFinite { break }
            optimizer.minimize(l, parameters: parameters)
            steps += 1
        }
        if batch.isRegression {
            let ok = loss < 0.01
            return CheckResult(id: 4, name: "overfit_batch", status: ok ? .pass : .fail,
                               summary: String(format: "%d examples after %d steps: MSE %.4g of standardised targets (needs < 0.01: near-zero error)", n, steps, loss),
                               values: ["examples": Double(n), "steps": Double(steps), "loss": loss],
                               hint: ok ? nil : "a network that cannot fit \(n) examples has a bug (a frozen layer, a wrong gradient, a loss on the wrong outputs) or far too little capacity")
        }
        let ok = loss < 0.05 && accuracy == 1
        return CheckResult(id: 4, name: "overfit_batch", status: ok ? .pass : .fail,
                           summary: String(format: "%d examples after %d steps: loss %.4g, accuracy %.0f%% (needs < 0.05 and 100%%)", n, steps, loss, accuracy * 100),
                           values: ["examples": Double(n), "steps": Double(steps), "loss": loss, "accuracy": accuracy],
                           hint: ok ? nil : "a network that cannot memorise \(n) examples has a bug (a frozen layer, a wrong gradient, a loss on the wrong outputs) or far too little capacity")
    }

    // MARK: 5. gradient check

    public func gradientCheck() throws -> CheckResult {
        var c = plainConfig
        c.width = min(c.width, 8)
        c.channels = min(c.channels, 2)
        c.denseWidth = min(c.denseWidth, 8)
        // The same tiny instance of a layer list: at most 2 channels per convolution, 8 units per dense layer.
        c.layers = c.layers.map {
            Self.mapLayers($0) { op in
                switch op {
                case .conv2d(let ch, let k, let s, let p, let b): return .conv2d(channels: min(ch, 2), kernel: k, stride: s, padding: p, bias: b)
                case .dense(let u, let b): return .dense(units: min(u, 8), bias: b)
                default: return op
                }
            }
        }
        let net = try model(c, stream: 5)
        let n = min(4, data.train.count)
        let batch = data.train.slice(0..<n)
        let x = Tensor(shape: [n, batch.featureCount], data: batch.features)
        net.isTraining = true
        let lossKind = c.loss.resolved(regression: data.isRegression)
        let result = GradientCheck.evaluate(wrt: net.parameters, h: 1e-2, tolerance: 5e-2, maxPerInput: 12) {
            lossKind.batchLoss(net(x), dataset: batch, labels: batch.labels, indices: 0..<n)
        }
        let share = Double(result.checked - result.mismatches.count) / Double(max(result.checked, 1))
        let ok = share >= 0.9 && result.checked > 0
        let first = result.mismatches.first.map { " first mismatch: parameter \(net.namedParameters[$0.input].0)[\($0.index)] analytic \(String(format: "%.4g", $0.analytic)) vs numeric \(String(format: "%.4g", $0.numeric))." } ?? ""
        return CheckResult(id: 5, name: "gradient", status: ok ? .pass : .fail,
                           summary: String(format: "%d of %d sampled parameter gradients agree with central differences (%.1f%%, needs ≥ 90%%).", result.checked - result.mismatches.count, result.checked, share * 100) + first,
                           values: ["checked": Double(result.checked), "mismatches": Double(result.mismatches.count), "agreement": share],
                           hint: ok ? nil : "a backward rule is wrong: run the op's finite-difference test")
    }

    // MARK: 6. batch independence

    public func batchIndependence() throws -> CheckResult {
        let net = try model(plainConfig, stream: 1)
        let n = min(8, data.train.count)
        guard n >= 2 else { return CheckResult(id: 6, name: "batch_independence", status: .warn, summary: "needs at least 2 training examples") }
        let batch = data.train.slice(0..<n)
        let x = Tensor(shape: [n, batch.featureCount], data: batch.features, requiresGrad: true)
        net.isTraining = false   // dropout off, batch norm on running statistics: no legitimate mixing left
        let probe = n / 2
        let out = net(x)
        let classes = out.shape[1]
        var mask = [Float](repeating: 0, count: out.count)
        for j in 0..<classes { mask[probe * classes + j] = 1 }
        (out * Tensor(shape: out.shape, data: mask)).sum().backward()
        let g = x.grad ?? []
        let d = batch.featureCount
        var own = 0.0, leaked = 0.0
        for r in 0..<n {
            let norm = g[r * d..<(r + 1) * d].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if r == probe { own = norm } else { leaked = max(leaked, norm) }
        }
        let ok = own > 0 && leaked <= 1e-6 * max(own, 1e-12)
        return CheckResult(id: 6, name: "batch_independence", status: ok ? .pass : .fail,
                           summary: String(format: "gradient of example %d's outputs: ‖own input‖ = %.3g, largest ‖other input‖ = %.3g (must be 0)", probe, own, leaked),
                           values: ["own_gradient": own, "leaked_gradient": leaked],
                           hint: ok ? nil : (own == 0 ? "outputs do not depend on their own inputs" : "a layer mixes information across the batch dimension (a reshape or reduction over the wrong axis?)"))
    }

    // MARK: 7. loss decreases

    public func lossDecreases() throws -> CheckResult {
        let net = try model(config, stream: 1)
        let losses = trainSteps(net, on: data.train, steps: decreaseSteps, config: config)
        let k = max(1, losses.count / 5)
        let first = losses.prefix(k).reduce(0, +) / Double(k), last = losses.suffix(k).reduce(0, +) / Double(k)
        let ok = losses.allSatisfy(\.isFinite) && last < 0.95 * first
        return CheckResult(id: 7, name: "loss_decreases", status: ok ? .pass : .fail,
                           summary: String(format: "training loss over %d steps: first %d average %.4f → last %d average %.4f (must fall ≥ 5%%)", losses.count, k, first, k, last),
                           values: ["first": first, "last": last, "steps": Double(losses.count)],
                           hint: ok ? nil : "training does not reduce the loss: check the learning rate (hpsearch lr-find), the sign of the update, and that gradients reach every layer")
    }

    // MARK: 8. baselines to beat

    /// The numbers a sweep must beat, on the whole validation split: the dumb baseline (the
    /// training split's majority class with its priors as probabilities; regression: the training
    /// mean), a linear model (the output layer alone on the same inputs: softmax or linear
    /// regression, trained with the config's optimizer and batches for two epochs, at least
    /// 200 steps and at most `linearSteps`), and the sweep file's `human_baseline`. Warns when the
    /// linear model's loss is not at least 1% below the dumb baseline's (the inputs carry no linear
    /// signal, or do not reach the model).
    public func baselines() throws -> CheckResult {
        let validation = data.validation
        guard validation.count > 0 else {
            return CheckResult(id: 8, name: "baselines", status: .warn, summary: "no validation examples: nothing to measure baselines on")
        }
        var values: [String: Double] = [:]
        var parts: [String] = []
        let dumbLoss: Double
        if let t = validation.targets {
            dumbLoss = meanPredictionMSE(validation)
            values["mean_val_loss"] = dumbLoss
            var text = String(format: "predicting the training mean: val_loss %.4g", dumbLoss)
            if t.width == 1 {
                let rmse = dumbLoss.squareRoot() * t.std[0]
                values["mean_val_rmse"] = rmse
                text += String(format: ", val_rmse %.4g", rmse)
            }
            parts.append(text)
        } else {
            let counts = data.train.classCounts, total = Double(max(counts.reduce(0, +), 1))
            let majority = counts.indices.max { counts[$0] < counts[$1] } ?? 0
            let hits = validation.labels.filter { $0 == majority }.count
            let accuracy = Double(hits) / Double(validation.count)
            let loss = validation.labels.reduce(0.0) { $0 - Foundation.log(max(Double(counts[$1]) / total, 1e-7)) } / Double(validation.count)
            dumbLoss = loss
            values["majority_val_accuracy"] = accuracy
            values["majority_val_loss"] = loss
            parts.append(String(format: "majority class (%d) with the class priors: val_accuracy %.4f, val_loss %.4f", majority, accuracy, loss))
        }
        var rng = RNG(seed: seed, stream: 8)
        let linear = Sequential([ModelBuilder.outputLayer(features: data.featureCount, for: ModelBuilder.shape(of: data), rng: &rng)])
        let plain = plainConfig
        let batchSize = min(plain.batchSize, max(data.train.count, 1))
        let steps = max(1, min(linearSteps, max(2 * ((data.train.count + batchSize - 1) / batchSize), 200)))
        _ = trainSteps(linear, on: data.train, steps: steps, config: plain)
        let e = Trainer.evaluate(linear, validation)
        values["linear_val_loss"] = e.loss
        values["linear_steps"] = Double(steps)
        if validation.isRegression {
            for (k, v) in e.metrics { values["linear_val_" + k] = v }
            parts.append(String(format: "linear regression (%d steps): val_loss %.4g", steps, e.loss)
                         + (e.metrics["rmse"].map { String(format: ", val_rmse %.4g", $0) } ?? ""))
        } else {
            values["linear_val_accuracy"] = e.accuracy
            parts.append(String(format: "softmax regression (%d steps): val_accuracy %.4f, val_loss %.4f", steps, e.accuracy, e.loss))
        }
        let human = humanBaseline.sorted { $0.key < $1.key }
        for (name, value) in human { values["human_" + name] = value }
        if !human.isEmpty { parts.append("human: " + human.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")) }
        // "Beats" means by more than 1% of the dumb loss: a linear model on inputs without signal
        // ends within rounding of the priors (or the mean), on either side.
        let ok = e.loss.isFinite && e.loss < 0.99 * dumbLoss
        return CheckResult(id: 8, name: "baselines", status: ok ? .pass : .warn,
                           summary: parts.joined(separator: "; ") + " (the whole validation split; the sweep must beat these)",
                           values: values,
                           hint: ok ? nil : "a linear model does no better than the dumb baseline: the inputs carry little linear signal, or do not reach the model; look at check 1 and 3")
    }

    /// `steps` optimisation steps on seeded shuffled batches of `data`; returns each step's loss.
    func trainSteps(_ net: any Layer, on dataset: Dataset, steps: Int, config: TrainingConfig) -> [Double] {
        let batcher = Batcher(dataset: dataset, batchSize: min(config.batchSize, dataset.count), rng: RNG(seed: seed, stream: 2))
        let optimizer = Trainer.makeOptimizer(config)
        let parameters = net.parameters
        var losses: [Double] = []
        net.isTraining = true
        var epoch = 0
        let lossKind = config.loss.resolved(regression: dataset.isRegression)
        while losses.count < steps {
            batcher.forEachIndexedBatch(epoch: epoch, maxBatches: steps - losses.count) { x, labels, indices in
                let loss = lossKind.batchLoss(net(x), dataset: dataset, labels: labels, indices: indices,
                                              labelSmoothing: Float(config.labelSmoothing))
                losses.append(Double(loss.item))
                optimizer.minimize(loss, parameters: parameters, clipNorm: Float(config.clipNorm))
            }
            epoch += 1
        }
        return losses
    }
}
