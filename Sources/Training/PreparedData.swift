// PreparedData: a sweep's train / validation / test splits, loaded and normalised once.
import Datasets
import Foundation
import Search
import TensorCore

/// The three splits a trial sees. Validation is carved from the training data (stratified, from
/// the sweep seed, so every trial of a sweep shares it); test is the source's own test split
/// (or, for CSV, a stratified hold-out) and is read only when a caller asks for test metrics.
/// Normalisation statistics come from the training split only.
public struct PreparedData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset
    public var classNames: [String]
    /// Where the data came from, for logs and reports.
    public var source: String

    public init(train: Dataset, validation: Dataset, test: Dataset, classNames: [String]? = nil, source: String = "in-memory") {
        self.train = train
        self.validation = validation
        self.test = test
        self.classNames = classNames ?? (0..<train.classCount).map(String.init)
        self.source = source
    }

    public var classCount: Int { train.classCount }
    public var featureCount: Int { train.featureCount }
    public var imageShape: [Int]? { train.imageShape }

    /// Fashion-MNIST's class names, in label order.
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Loads and splits the data a sweep file describes. `seed` is the sweep seed.
    public static func load(_ spec: DataSpec, seed: UInt64) throws -> PreparedData {
        let pool: Dataset, test: Dataset, names: [String]?, source: String
        switch spec.source {
        case .fashionMNIST:
            let dir = Dataset.fashionMNISTDirectory
            guard FileManager.default.fileExists(atPath: dir) else {
                throw DatasetError.missingFile(path: dir, hint: "Install Debian's package: apt-get install dataset-fashion-mnist (scripts/setup.sh does).")
            }
            pool = try Dataset.loadIDX(directory: dir, split: .train)
            test = try Dataset.loadIDX(directory: dir, split: .test)
            names = fashionMNISTClasses
            source = "fashion-mnist (\(dir))"
        case .idx(let dir):
            pool = try Dataset.loadIDX(directory: dir, split: .train)
            test = try Dataset.loadIDX(directory: dir, split: .test)
            names = nil
            source = "idx (\(dir))"
        case .csv(let path, let label, let testFraction, let hasHeader):
            let column: CSVReader.LabelColumn
            switch label {
            case .name(let n): column = .name(n)
            case .index(let i): column = .index(i)
            }
            let table = try CSVReader(label: column, hasHeader: hasHeader).read(path: path)
            // The test hold-out comes from its own stream, so changing `validation` never moves it.
            let split = try Split.stratified(table.dataset, validation: .fraction(testFraction), seed: seed ^ 0x7E57)
            pool = split.train
            test = split.validation
            names = table.classNames
            source = "csv (\(path))"
        }
        let size: Split.Size
        switch spec.validation {
        case .count(let c): size = .count(c)
        case .fraction(let f): size = .fraction(f)
        }
        var (train, validation) = try Split.stratified(pool, validation: size, seed: seed)
        if let n = spec.trainExamples, n < train.count {
            // A stratified sample of the training split: what a split would hold out.
            train = try Split.stratified(train, validation: .count(n), seed: seed ^ 0x5AB5).validation
        }
        var data = PreparedData(train: train, validation: validation, test: test, classNames: names, source: source)
        data.normalise()
        return data
    }

    /// Standardises features with statistics of the training split: one mean and deviation for
    /// images (keeping their spatial structure), per feature for tables.
    mutating func normalise() {
        if train.imageShape != nil {
            var sum = 0.0, sq = 0.0
            for v in train.features { sum += Double(v) }
            let n = Double(max(train.features.count, 1)), mean = sum / n
            for v in train.features { let d = Double(v) - mean; sq += d * d }
            let std = Swift.max((sq / n).squareRoot(), 1e-8)
            let m = Float(mean), s = Float(1 / std)
            for i in train.features.indices { train.features[i] = (train.features[i] - m) * s }
            for i in validation.features.indices { validation.features[i] = (validation.features[i] - m) * s }
            for i in test.features.indices { test.features[i] = (test.features[i] - m) * s }
        } else {
            let z = Standardizer(fitting: train)
            train = z.apply(train)
            validation = z.apply(validation)
            test = z.apply(test)
        }
    }
}
