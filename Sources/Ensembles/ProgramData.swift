// ProgramData: what rank 0 knows of a program sweep's data — the validation and test labels (or
// regression targets) its program wrote once as `validation_labels.npy` and `test_labels.npy`,
// stored with the first trial that sent them — as the PreparedData that ensembles, selection
// and evaluation read (no features: the program keeps its data to itself). Classes are the
// prediction columns: label k is column k.
import Datasets
import Foundation
import Search
import Storage
import Training

public enum ProgramData {
    /// The artifact kind of a file a program trial sent (`file:validation_labels.npy`).
    public static func kind(_ file: String) -> String { "file:" + file }

    public static func prepared(run: RunDirectory, store: any Store, spec: SweepSpec) throws -> PreparedData {
        var found: (validation: NPYArray, test: NPYArray, columns: Int?)?
        var trainRows = 0
        for t in try store.trials() {
            let artifacts = try store.artifacts(trial: t.index)
            guard let v = artifacts.first(where: { $0.kind == kind("validation_labels.npy") }),
                  let s = artifacts.first(where: { $0.kind == kind("test_labels.npy") }) else { continue }
            let columns = artifacts.first { $0.kind == kind("validation_shape.json") }
                .flatMap { try? run.read($0.path) }
                .flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
                .flatMap { ($0["shape"] as? [Int])?.last }
            trainRows = artifacts.first { $0.kind == kind("train_shape.json") }
                .flatMap { try? run.read($0.path) }
                .flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
                .flatMap { ($0["shape"] as? [Int])?.first } ?? 0
            found = (try NPY.parse(try run.read(v.path), source: run.url.appendingPathComponent(v.path).path),
                     try NPY.parse(try run.read(s.path), source: run.url.appendingPathComponent(s.path).path), columns)
            break
        }
        guard let found else {
            throw EnsembleError(description: "no trial of \(run.url.path) sent validation_labels.npy and test_labels.npy: a program sweep's "
                                + "ensemble needs them (write them once into $HPSEARCH_OUTPUT_DIR, beside validation.npy and test.npy)")
        }
        func rows(_ a: NPYArray) -> Int { a.shape.first ?? 0 }
        if spec.task == .regression {
            func targets(_ a: NPYArray, _ name: String) throws -> Dataset.Targets {
                try NumPyData.targets(a, source: name, rows: rows(a), xSource: name, width: nil)
            }
            let v = try targets(found.validation, "validation_labels.npy"), t = try targets(found.test, "test_labels.npy")
            func ds(_ t: Dataset.Targets) -> Dataset {
                Dataset(features: [Float](repeating: 0, count: t.values.count / t.width), targets: t, featureCount: 1)
            }
            return PreparedData(train: ds(Dataset.Targets(values: [Float](repeating: 0, count: trainRows * v.width), width: v.width, names: v.names)),
                                validation: ds(v), test: ds(t),
                                classNames: [], source: "program")
        }
        let v = try NumPyData.labels(found.validation, source: "validation_labels.npy", rows: rows(found.validation), xSource: "validation.npy")
        let t = try NumPyData.labels(found.test, source: "test_labels.npy", rows: rows(found.test), xSource: "test.npy")
        let classes = max(found.columns ?? 0, (v + t).max().map { $0 + 1 } ?? 1)
        if let bad = (v + t).first(where: { $0 < 0 }) {
            throw EnsembleError(description: "label \(bad) in the program's label files: labels must be class indices 0…\(classes - 1), the columns of its predictions")
        }
        func ds(_ l: [Int]) -> Dataset { Dataset(features: [Float](repeating: 0, count: l.count), labels: l, featureCount: 1, classCount: classes) }
        // The training split's labels are the program's own: only its size is known (train.npy).
        return PreparedData(train: ds([Int](repeating: 0, count: trainRows)), validation: ds(v), test: ds(t), classNames: (0..<classes).map(String.init), source: "program")
    }
}
