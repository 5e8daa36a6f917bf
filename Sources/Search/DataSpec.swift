// DataSpec: the sweep file's `data:` section — which data set, and how much of it.

/// Where a CSV file's label is: a header name, or a 0-based column index.
public enum LabelColumn: Sendable, Hashable {
    case name(String)
    case index(Int)
}

/// The data set. Paths are already resolved against the sweep file's directory.
public enum DataSource: Sendable, Hashable {
    /// Fashion-MNIST from the data cache.
    case fashionMNIST
    /// An MNIST-layout directory of IDX files (`train-images-idx3-ubyte[.gz]`, …).
    case idx(directory: String)
    /// A numeric CSV file; `testFraction` of it (0 < f < 1) is held out as the test split.
    case csv(path: String, label: LabelColumn, testFraction: Double, hasHeader: Bool)
}

/// How much of the training split becomes the (stratified) validation split.
public enum ValidationSize: Sendable, Hashable {
    /// This many examples (≥ 1).
    case count(Int)
    /// This fraction of the training split (0 < f < 1).
    case fraction(Double)
}

/// The data section. `validation` defaults to `.count(10000)` for Fashion-MNIST and IDX and to
/// `.fraction(0.1)` for CSV; `trainExamples` (≥ 1) caps the training split for quick runs.
public struct DataSpec: Sendable, Hashable {
    public var source: DataSource
    public var validation: ValidationSize
    public var trainExamples: Int?

    public init(source: DataSource = .fashionMNIST, validation: ValidationSize? = nil, trainExamples: Int? = nil) {
        self.source = source
        self.validation = validation ?? Self.defaultValidation(for: source)
        self.trainExamples = trainExamples
    }

    /// `.fraction(0.1)` for CSV, `.count(10000)` otherwise.
    public static func defaultValidation(for source: DataSource) -> ValidationSize {
        if case .csv = source { .fraction(0.1) } else { .count(10_000) }
    }
}
