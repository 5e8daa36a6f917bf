// DataSpec: the sweep file's `data:` section — which data set, and how much of it.
//
//   source: fashion-mnist
//   source: {idx: {dir: PATH}}
//   source: {csv: {path: PATH, label: COLUMN | [COLUMN, …], test_fraction: 0.2, header: true, categorical: [COLUMN, …],
//                  test_path: PATH}}   (test_path: the test split's own file, same columns; instead of test_fraction)
//   source: {npy: {x: PATH, y: PATH, test_x: PATH, test_y: PATH, test_fraction: 0.2}}
//   source: {npz: {path: PATH, x: x, y: y, test_x: test_x, test_y: test_y, test_fraction: 0.2}}
//
// npy: test_x and test_y come together; without them `test_fraction` (default 0.2) of x, y is
// held out (stratified), as for CSV. npz: the archive's members `x.npy`, `y.npy` (and, when
// present, `test_x.npy`, `test_y.npy`); the keys x, y, test_x, test_y rename the members read
// (Keras' mnist.npz: `{x: x_train, y: y_train, test_x: x_test, test_y: y_test}`).
//
// The top-level `task:` (classification | regression) is kept here, as `DataSpec.task`: it says
// how the label columns (or y arrays) are read. Classification takes one label column; regression
// one or more target columns (`label: [y1, y2]`), or y of shape [N] or [N, T].

/// Where a CSV file's label is: a header name, or a 0-based column index. Also names the
/// columns of `categorical:`.
public enum LabelColumn: Sendable, Hashable {
    case name(String)
    case index(Int)
}

/// A CSV column by header name or 0-based index.
public typealias ColumnReference = LabelColumn

/// The data set. Paths are already resolved against the sweep file's directory.
public enum DataSource: Sendable, Hashable {
    /// Fashion-MNIST from the data cache.
    case fashionMNIST
    /// An MNIST-layout directory of IDX files (`train-images-idx3-ubyte[.gz]`, …).
    case idx(directory: String)
    /// A CSV file; `testFraction` of it (0 < f < 1) is held out as the test split. Text feature
    /// columns, and those of `categorical`, are one-hot encoded; missing cells imputed. `labels`:
    /// the label column (classification: exactly one) or the target columns (regression: ≥ 1).
    /// `testPath`: a second file with the same columns that is the test split (then nothing is held out).
    case csv(path: String, labels: [LabelColumn], testFraction: Double, hasHeader: Bool, categorical: [LabelColumn] = [],
             testPath: String? = nil)
    /// NumPy `.npy` files: features `x` and labels `y`, and the test split's, or else a
    /// `testFraction` hold-out (nil: 0.2).
    case npy(x: String, y: String, testX: String? = nil, testY: String? = nil, testFraction: Double? = nil)
    /// A NumPy `.npz` archive and the members to read (keys without `.npy`); `testX`/`testY` nil:
    /// `test_x`/`test_y` when the archive has them, else a `testFraction` hold-out (nil: 0.2).
    case npz(path: String, x: String = "x", y: String = "y", testX: String? = nil, testY: String? = nil,
             testFraction: Double? = nil)

    /// The hold-out fraction when there is no test split of the source's own.
    public static let defaultTestFraction = 0.2

    /// The files and directories the source reads (the `.gz` of an IDX directory aside).
    public var paths: [String] {
        switch self {
        case .fashionMNIST: return []
        case .idx(let dir): return [dir]
        case .csv(let path, _, _, _, _, let testPath): return [path] + (testPath.map { [$0] } ?? [])
        case .npy(let x, let y, let tx, let ty, _): return [x, y] + [tx, ty].compactMap { $0 }
        case .npz(let path, _, _, _, _, _): return [path]
        }
    }
}

/// How much of the training split becomes the validation split (stratified by class for
/// classification, a seeded random sample for regression).
public enum ValidationSize: Sendable, Hashable {
    /// This many examples (≥ 1).
    case count(Int)
    /// This fraction of the training split (0 < f < 1).
    case fraction(Double)
}

/// The data section (and the task). `validation` defaults to `.count(10000)` for Fashion-MNIST and IDX and to
/// `.fraction(0.1)` for CSV, NPY and NPZ; `trainExamples` (≥ 1) caps the training split for quick runs.
public struct DataSpec: Sendable, Hashable {
    public var source: DataSource
    public var validation: ValidationSize
    public var trainExamples: Int?
    /// The sweep file's top-level `task:` (default classification).
    public var task: TaskKind

    public init(source: DataSource = .fashionMNIST, validation: ValidationSize? = nil, trainExamples: Int? = nil,
                task: TaskKind = .classification) {
        self.source = source
        self.validation = validation ?? Self.defaultValidation(for: source)
        self.trainExamples = trainExamples
        self.task = task
    }

    /// `.count(10000)` for Fashion-MNIST and IDX, `.fraction(0.1)` otherwise.
    public static func defaultValidation(for source: DataSource) -> ValidationSize {
        switch source {
        case .fashionMNIST, .idx: .count(10_000)
        case .csv, .npy, .npz: .fraction(0.1)
        }
    }
}
