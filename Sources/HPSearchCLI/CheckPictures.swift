// CheckPictures: what `hpsearch check --save RUN_DIR` draws into RUN_DIR/check/: the first
// training batch exactly as the model receives it (inputs.png and its sidecar inputs.json) and,
// for tables, the inputs' distributions per split (distributions.svg).
import ArgumentParser
import Datasets
import Foundation
import Reports
import Training

enum CheckPictures {
    /// Writes the pictures of `data` under `folder` (created) and returns the files written.
    /// The batch is `Trainer.firstBatch(config:data:seed:)`: the first batch `hpsearch train` with
    /// the same sweep file, `--set` and `--seed` trains on (a sweep's trial i trains with the seed
    /// `TrialAssignment.trainingSeed(sweepSeed:index:)` instead: other examples and augmentations,
    /// the same preprocessing). Throws a `ValidationError` naming the path when a file cannot be written.
    static func write(data: PreparedData, config: TrainingConfig, seed: UInt64, to folder: URL) throws -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw ValidationError("--save: cannot create \(folder.path) for the check's pictures (\(error.localizedDescription)); check the run directory's permissions and free space")
        }
        let batch = Trainer.firstBatch(config: config, data: data, seed: seed)
        let labelText: [String]
        if let targets = batch.targets, let t = data.train.targets {
            // The first target in its own units (the model is fitted to it standardised).
            labelText = (0..<batch.count).map { k in String(format: "%.3g", Double(targets[k * t.width]) * t.std[0] + t.mean[0]) }
        } else {
            labelText = batch.labels.map(String.init)
        }
        let notes = [
            "batch": "the first batch of epoch 1, after standardisation, imputation, one-hot encoding and augmentation",
            "seed": String(seed),
            "seed_source": "the check's seed (--seed, else the sweep file's seed): what `hpsearch train` trains on; a sweep's trial i uses its own training seed",
            "augmented": batch.augmented ? "yes (\(config.augment.rawValue))" : "no",
            "batch_size": String(batch.count),
            "source": data.source,
        ]
        let picture = InputsPicture(values: batch.values, count: batch.count, featureCount: batch.featureCount, imageShape: batch.imageShape,
                                    labels: data.isRegression ? nil : batch.labels, labelText: labelText,
                                    classNames: data.classNames, indices: batch.indices, notes: notes)
        var written: [URL] = []
        let png = folder.appendingPathComponent("inputs.png")
        try save(Data(picture.png.encoded()), to: png)
        written.append(png)
        let json = folder.appendingPathComponent("inputs.json")
        try save(try picture.sidecarJSON(), to: json)
        written.append(json)
        if data.imageShape == nil {
            let svg = folder.appendingPathComponent("distributions.svg")
            try save(Data(distributions(data).utf8), to: svg)
            written.append(svg)
        }
        return written
    }

    /// The per-feature distributions of a table's three splits and its labels.
    static func distributions(_ data: PreparedData) -> String {
        func split(_ name: String, _ d: Dataset) -> FeatureDistributions.Split {
            FeatureDistributions.Split(name: name, features: d.features, labels: d.isRegression ? [] : d.labels,
                                       targets: d.targets.map { t in (0..<d.count).map { t.value(row: $0, target: 0) } })
        }
        let names = data.transform?.featureNames ?? (0..<data.featureCount).map { "x[\($0)]" }
        return FeatureDistributions.svg(featureNames: names, featureCount: data.featureCount,
                                        splits: [split("train", data.train), split("validation", data.validation), split("test", data.test)],
                                        classNames: data.classNames, targetName: data.isRegression ? data.targetNames.first : nil)
    }

    static func save(_ bytes: Data, to url: URL) throws {
        do { try bytes.write(to: url, options: .atomic) } catch {
            throw ValidationError("--save: cannot write \(url.path) (\(error.localizedDescription)); check the run directory's permissions and free space, or leave out --save")
        }
    }
}
