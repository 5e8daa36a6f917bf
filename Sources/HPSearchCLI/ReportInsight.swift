// ReportInsight: what `hpsearch report` gathers for the report's model sections (ModelInsight):
// the validation split (loaded as the sweep split it: PreparedData with the sweep's seed), the
// best trial's and the newest ensemble's stored validation predictions, and the best trial's
// first-layer weights from its checkpoint. Read-only: nothing is recomputed or written, and any
// part that cannot be had becomes a sentence on the page instead of an error.
import Datasets
import Foundation
import NN
import Reports
import Search
import Storage
import Training

enum ReportInsight {
    /// The insight for `input`'s sweep in `run`. Loads the data only when there are stored
    /// validation predictions to show.
    static func gather(run: RunDirectory, store: any Store, input: ReportInput) -> ModelInsight {
        let spec = input.spec
        let ranked = input.trials.filter { $0.state.hasModel && $0.bestValue?.isFinite == true }.sorted { a, b in
            a.bestValue! == b.bestValue! ? a.index < b.index : spec.metric.isBetter(a.bestValue!, than: b.bestValue!)
        }
        guard let best = ranked.first else {
            return ModelInsight(validationNote: "No finished trial with a model yet: nothing to show.")
        }
        let ensemble = input.ensembles.last { $0.method == "average" || $0.method == "greedy" }
        let artifacts = (try? store.artifacts(trial: best.index)) ?? []
        let hasPredictions = artifacts.contains { $0.kind == "validation_predictions" } || ensemble != nil
        var insight = ModelInsight()
        var data: PreparedData?
        var dataProblem: String?
        if hasPredictions {
            do {
                data = try PreparedData.load(spec.data, seed: spec.seed)
            } catch {
                dataProblem = "the sweep's data could not be loaded (\(error)); put the data back where the sweep file says, then run `hpsearch report` again."
            }
        }
        if let data {
            (insight.validation, insight.validationNote) = validation(run: run, store: store, data: data, best: best, ensemble: ensemble)
        } else {
            insight.validationNote = "Not shown: " + (dataProblem ?? "no stored validation predictions (the sweep kept no validation.f32 files and no ensemble is stored).")
        }
        let imageShape = data?.imageShape ?? storedImageShape(run)
        if let imageShape {
            (insight.firstLayer, insight.firstLayerNote) = firstLayer(run: run, artifacts: artifacts, best: best, imageShape: imageShape)
        }
        return insight
    }

    /// The image shape from the run's transform.json, when the data themselves are unavailable.
    static func storedImageShape(_ run: RunDirectory) -> [Int]? {
        guard let json = try? Data(contentsOf: URL(fileURLWithPath: run.transformPath)) else { return nil }
        return (try? FittedTransform(json: json))?.imageShape
    }

    /// Trial `trial`'s stored validation predictions when present, intact and of the split's size.
    static func predictions(run: RunDirectory, store: any Store, trial: Int, size: Int) -> Result<[Float], ReportInsightProblem> {
        guard let a = (try? store.artifacts(trial: trial))?.first(where: { $0.kind == "validation_predictions" }) else {
            return .failure(ReportInsightProblem("trial \(trial) has no stored validation predictions"))
        }
        guard let bytes = try? run.read(a.path), RunDirectory.checksum(bytes) == a.checksum else {
            return .failure(ReportInsightProblem("\(a.path) is missing or does not match its recorded checksum"))
        }
        let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        guard values.count == size else {
            return .failure(ReportInsightProblem("\(a.path) holds \(values.count) values where the validation split needs \(size): the data changed since the sweep ran"))
        }
        return .success(values)
    }

    static func validation(run: RunDirectory, store: any Store, data: PreparedData, best: TrialRecord,
                           ensemble: EnsembleRecord?) -> (ValidationView?, String?) {
        let v = data.validation, size = v.count * data.outputCount
        var models: [ValidationView.Model] = [], problems: [String] = []
        switch predictions(run: run, store: store, trial: best.index, size: size) {
        case .success(let p): models.append(.init(name: "best trial \(best.index)", outputs: p))
        case .failure(let p): problems.append("best trial: \(p.description)")
        }
        if let ensemble {
            // The ensemble's combination: the weighted mean of its members' outputs (EnsembleSelection.combine).
            var sum = [Double](repeating: 0, count: size), missing: String?
            for (trial, weight) in zip(ensemble.members, ensemble.weights) where missing == nil {
                switch predictions(run: run, store: store, trial: trial, size: size) {
                case .success(let p): for i in 0..<size { sum[i] += weight * Double(p[i]) }
                case .failure(let p): missing = p.description
                }
            }
            if let missing {
                problems.append("\(ensemble.method) ensemble #\(ensemble.id): \(missing)")
            } else {
                models.append(.init(name: "\(ensemble.method) ensemble #\(ensemble.id) (\(ensemble.members.count) member\(ensemble.members.count == 1 ? "" : "s"))", outputs: sum.map(Float.init)))
            }
        }
        let note = problems.isEmpty ? nil : "Left out: " + problems.joined(separator: "; ") + "."
        guard !models.isEmpty else { return (nil, "Not shown: " + problems.joined(separator: "; ") + ".") }
        var features = v.features, featureNote: String, pixelRange: ClosedRange<Float>?
        let names = data.transform?.featureNames ?? []
        switch data.transform?.scaling {
        case .global(let mean, let scale)? where scale != 0:
            for i in features.indices { features[i] = features[i] / scale + mean }
            let finite = features.filter(\.isFinite)
            pixelRange = (finite.min() ?? 0)...(finite.max() ?? 1)
            featureNote = v.imageShape != nil
                ? "Images: the standardised features mapped back with the inverse of the transform fitted on the training split (x / scale + mean), drawn black…white over the split's own pixel range "
                  + String(format: "%.4g…%.4g", pixelRange!.lowerBound, pixelRange!.upperBound) + ", enlarged (at least twice their size)."
                : "Features mapped back with the inverse of the standardisation fitted on the training split (x / scale + mean)."
        case .perFeature(let mean, let std)? where mean.count == v.featureCount:
            for r in 0..<v.count { for j in 0..<mean.count { features[r * mean.count + j] = features[r * mean.count + j] * std[j] + mean[j] } }
            featureNote = "Features as encoded before standardisation (the inverse of the training split's per-feature standardisation): "
                + "numbers as read with missing cells at the training median, categories one-hot."
        default:
            featureNote = v.imageShape != nil ? "Images as the model sees them (standardised), each drawn over its own minimum…maximum."
                : "Features as the model sees them (standardised)."
        }
        if let t = v.targets {
            var targets = [Double](repeating: 0, count: v.count * t.width)
            for r in 0..<v.count { for j in 0..<t.width { targets[r * t.width + j] = t.value(row: r, target: j) } }
            return (ValidationView(classNames: [], labels: [], targets: targets, targetNames: t.names, features: features,
                                   featureCount: v.featureCount, featureNames: names, imageShape: v.imageShape, pixelRange: pixelRange,
                                   featureNote: featureNote, models: models), note)
        }
        return (ValidationView(classNames: data.classNames, labels: v.labels, features: features, featureCount: v.featureCount,
                               featureNames: names, imageShape: v.imageShape, pixelRange: pixelRange, featureNote: featureNote,
                               models: models), note)
    }

    static func firstLayer(run: RunDirectory, artifacts: [ArtifactRecord], best: TrialRecord, imageShape: [Int]) -> (FirstLayerView?, String?) {
        guard let c = artifacts.first(where: { $0.kind == "checkpoint" }) else {
            return (nil, "Not shown: trial \(best.index) (the best) stored no checkpoint.")
        }
        guard let bytes = try? run.read(c.path), RunDirectory.checksum(bytes) == c.checksum else {
            return (nil, "Not shown: \(c.path) is missing or does not match its recorded checksum.")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.decode(bytes, source: c.path)
        } catch {
            return (nil, "Not shown: \(error)")
        }
        let tensors = checkpoint.entries.map { FirstLayerView.Tensor(name: $0.name, shape: $0.shape, data: $0.data) }
        if let view = FirstLayerView.first(of: tensors, imageShape: imageShape, trial: best.index) { return (view, nil) }
        let first = tensors.first { !$0.name.hasPrefix("buffer:") }
        return (nil, "Not shown: trial \(best.index)'s first tensor" + (first.map { " (\($0.name), shape \($0.shape.map(String.init).joined(separator: "×")))" } ?? "")
                + " is neither a conv2d kernel over the image's channels nor a dense layer over the whole image.")
    }
}
