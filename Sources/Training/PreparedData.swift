// PreparedData: a sweep's train / validation / test splits, loaded and normalised once.
import Datasets
import Foundation
import Search
import TensorCore

/// The three splits a trial sees. Validation is carved from the training data (stratified by
/// class, or for regression a seeded random sample, from the sweep seed, so every trial of a
/// sweep shares it); test is the source's own test split
/// (or, for CSV and NPY/NPZ without test arrays, a stratified hold-out) and is read only when a
/// caller asks for test metrics. Everything fitted on data — standardisation, a table's column
/// types, vocabularies and medians — is fitted on the training split only and kept in
/// `transform`, which re-applied to the raw rows gives the same features bit for bit.
public struct PreparedData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset
    public var classNames: [String]
    /// Where the data came from, for logs and reports.
    public var source: String
    /// What was fitted on the training split (nil for splits made in memory).
    public var transform: FittedTransform?
    /// What the readers found: rows per split, and per table column its type, vocabulary,
    /// missing cells and unseen categories (nil for splits made in memory).
    public var summary: DataSummary?

    public init(train: Dataset, validation: Dataset, test: Dataset, classNames: [String]? = nil, source: String = "in-memory",
                transform: FittedTransform? = nil, summary: DataSummary? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
        self.classNames = classNames ?? (train.isRegression ? [] : (0..<train.classCount).map(String.init))
        self.source = source
        self.transform = transform
        self.summary = summary
    }

    public var classCount: Int { train.classCount }
    public var isRegression: Bool { train.isRegression }
    /// The model's outputs per example: classes, or regression targets.
    public var outputCount: Int { train.outputCount }
    /// Regression: the target names; empty for classification.
    public var targetNames: [String] { train.targets?.names ?? [] }
    public var featureCount: Int { train.featureCount }
    public var imageShape: [Int]? { train.imageShape }

    /// Fashion-MNIST's class names, in label order.
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Seeds of the splits, derived from the sweep seed: the test hold-out has its own stream,
    /// so changing `validation` never moves it.
    static func testSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x7E57 }
    static func trainExamplesSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5AB5 }

    /// Loads and splits the data a sweep file describes. `seed` is the sweep seed.
    public static func load(_ spec: DataSpec, seed: UInt64) throws -> PreparedData {
        switch spec.source {
        case .fashionMNIST:
            let dir = Dataset.fashionMNISTDirectory
            guard FileManager.default.fileExists(atPath: dir) else {
                throw DatasetError.missingFile(path: dir, hint: "Install Debian's package: apt-get install dataset-fashion-mnist (scripts/setup.sh does).")
            }
            return try arrays(pool: Dataset.loadIDX(directory: dir, split: .train), test: Dataset.loadIDX(directory: dir, split: .test),
                              names: fashionMNISTClasses, source: "fashion-mnist (\(dir))", spec: spec, seed: seed)
        case .idx(let dir):
            let pool = try Dataset.loadIDX(directory: dir, split: .train)
            return try arrays(pool: pool, test: Dataset.loadIDX(directory: dir, split: .test),
                              names: (0..<pool.classCount).map(String.init), source: "idx (\(dir))", spec: spec, seed: seed)
        case .csv(let path, let labels, let testFraction, let hasHeader, let categorical, let testPath):
            return try csv(path: path, labels: labels, testFraction: testFraction, hasHeader: hasHeader,
                           categorical: categorical, testPath: testPath, spec: spec, seed: seed)
        case .npy(let x, let y, let testX, let testY, let testFraction):
            let train = NumPyData.Arrays(x: try NPY.read(path: x), xSource: x, y: try NPY.read(path: y), ySource: y)
            var test: NumPyData.Arrays?
            if let testX, let testY {
                test = NumPyData.Arrays(x: try NPY.read(path: testX), xSource: testX, y: try NPY.read(path: testY), ySource: testY)
            }
            let shown = ([x, y] + [testX, testY].compactMap { $0 }).joined(separator: ", ")
            return try numpy(train: train, test: test, testFraction: testFraction, source: "npy (\(shown))", spec: spec, seed: seed)
        case .npz(let path, let x, let y, let testX, let testY, let testFraction):
            let archive = try NPZArchive(path: path)
            func arrays(_ x: String, _ y: String) throws -> NumPyData.Arrays {
                NumPyData.Arrays(x: try archive.array(x), xSource: "\(path):\(x).npy", y: try archive.array(y), ySource: "\(path):\(y).npy")
            }
            var test: NumPyData.Arrays?
            if let testX, let testY {
                test = try arrays(testX, testY)
            } else if archive.contains("test_x") || archive.contains("test_y") {
                if let testFraction {
                    throw DatasetError.conflict(path: path, reason: "the archive has test_x/test_y members, so test_fraction \(testFraction) "
                                                + "has nothing to hold out; remove test_fraction (or the members)")
                }
                test = try arrays("test_x", "test_y")
            }
            return try numpy(train: try arrays(x, y), test: test, testFraction: testFraction, source: "npz (\(path))", spec: spec, seed: seed)
        }
    }

    /// The validation split and the (capped) training split of `labels`' rows, as ascending indices.
    static func carve(labels: [Int], classCount: Int, spec: DataSpec, seed: UInt64) throws -> (train: [Int], validation: [Int]) {
        let size: Split.Size
        switch spec.validation {
        case .count(let c): size = .count(c)
        case .fraction(let f): size = .fraction(f)
        }
        var (train, validation) = try Split.stratifiedIndices(labels: labels, classCount: classCount, validation: size, seed: seed)
        if let n = spec.trainExamples, n < train.count {
            // A stratified sample of the training split: what a split would hold out.
            let kept = try Split.stratifiedIndices(labels: train.map { labels[$0] }, classCount: classCount,
                                                   validation: .count(n), seed: trainExamplesSeed(seed)).validation
            train = kept.map { train[$0] }
        }
        return (train, validation)
    }

    /// Splits numeric rows (`pool`: train + validation), fits the standardisation on the training split.
    static func arrays(pool: Dataset, test: Dataset, names: [String], source: String, spec: DataSpec, seed: UInt64) throws -> PreparedData {
        let (trainRows, validRows) = try carve(labels: pool.labels, classCount: pool.classCount, spec: spec, seed: seed)
        let train = pool.subset(trainRows), validation = pool.subset(validRows)
        let transform = FittedTransform.fit(arrays: train, classNames: names)
        let summary = DataSummary(source: source, rows: .init(train: train.count, validation: validation.count, test: test.count),
                                  featureCount: transform.featureCount, classNames: names, imageShape: train.imageShape,
                                  targetNames: train.targets?.names)
        return PreparedData(train: transform.apply(train), validation: transform.apply(validation), test: transform.apply(test),
                            classNames: names, source: source, transform: transform, summary: summary)
    }

    static func numpy(train: NumPyData.Arrays, test: NumPyData.Arrays?, testFraction: Double?, source: String,
                      spec: DataSpec, seed: UInt64) throws -> PreparedData {
        let (all, own, names) = try NumPyData.datasets(train: train, test: test, regression: spec.task == .regression)
        if let own { return try arrays(pool: all, test: own, names: names, source: source, spec: spec, seed: seed) }
        let split = try Split.stratified(all, validation: .fraction(testFraction ?? DataSource.defaultTestFraction), seed: testSeed(seed))
        return try arrays(pool: split.train, test: split.validation, names: names, source: source, spec: spec, seed: seed)
    }

    static func csv(path: String, labels: [LabelColumn], testFraction: Double, hasHeader: Bool, categorical: [LabelColumn],
                    testPath: String? = nil, spec: DataSpec, seed: UInt64) throws -> PreparedData {
        func column(_ c: LabelColumn) -> CSVReader.LabelColumn {
            switch c {
            case .name(let n): return .name(n)
            case .index(let i): return .index(i)
            }
        }
        let reader = CSVReader(labels: labels.map(column), regression: spec.task == .regression, hasHeader: hasHeader)
        let table = try testPath.map { try reader.readTable(paths: [path, $0]) } ?? reader.readTable(path: path)
        let classCount = max(table.classNames.count, 1)
        var held: (train: [Int], validation: [Int])
        if testPath != nil, table.files.count == 2 {
            // The test file is the test split; the first file is train + validation.
            held = (Array(table.files[0].rows), Array(table.files[1].rows))
            guard !held.validation.isEmpty else { throw DatasetError.empty(path: table.files[1].path) }
        } else {
            held = try Split.stratifiedIndices(labels: table.labels, classCount: classCount,
                                               validation: .fraction(testFraction), seed: testSeed(seed))
        }
        let pool = held.train
        let carved = try carve(labels: pool.map { table.labels[$0] }, classCount: classCount, spec: spec, seed: seed)
        let trainRows = carved.train.map { pool[$0] }, validRows = carved.validation.map { pool[$0] }, testRows = held.validation
        let transform = try FittedTransform.fit(table: table, trainingRows: trainRows, categorical: categorical.map(column))
        func dataset(_ rows: [Int]) throws -> (Dataset, missing: [Int], unseen: [Int]) {
            let e = try transform.apply(table: table, rows: rows)
            if let t = table.targets, let z = transform.targets {
                return (Dataset(features: e.features, targets: z.apply(t.rows(rows)), featureCount: transform.featureCount), e.missing, e.unseen)
            }
            return (Dataset(features: e.features, labels: rows.map { table.labels[$0] }, featureCount: transform.featureCount,
                            classCount: classCount), e.missing, e.unseen)
        }
        let (train, trainMissing, _) = try dataset(trainRows)
        let (validation, validMissing, validUnseen) = try dataset(validRows)
        let (test, testMissing, testUnseen) = try dataset(testRows)
        let columns = transform.columns.enumerated().map { j, c in
            DataSummary.Column(name: c.name, kind: c.kind, forced: c.forced, categories: c.categories,
                               median: c.kind == .numeric && c.missingIndicator ? Double(c.fill) : nil,
                               missingIndicator: c.missingIndicator,
                               missing: .init(train: trainMissing[j], validation: validMissing[j], test: testMissing[j]),
                               unseen: .init(train: 0, validation: validUnseen[j], test: testUnseen[j]))
        }
        let source = "csv (\(path)" + (testPath.map { ", test \($0)" } ?? "") + ")"
        let summary = DataSummary(source: source, rows: .init(train: train.count, validation: validation.count, test: test.count),
                                  featureCount: transform.featureCount, classNames: table.classNames, columns: columns,
                                  targetNames: table.targets?.names)
        return PreparedData(train: train, validation: validation, test: test, classNames: table.classNames, source: source,
                            transform: transform, summary: summary)
    }

    /// Standardises features with statistics of the training split (one mean and scale for
    /// images, per feature for tables), keeping the fitted transform: for splits made in memory.
    mutating func normalise() {
        let t = FittedTransform.fit(arrays: train, classNames: classNames)
        train = t.apply(train)
        validation = t.apply(validation)
        test = t.apply(test)
        transform = t
    }
}
