// DatasetError: what can go wrong reading data, with the file and what to do about it.

public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String, hint: String)
    case truncated(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case badMagic(path: String, found: UInt32, expected: String)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case nonNumeric(path: String, line: Int, column: Int, value: String)
    case missingLabelColumn(path: String, column: String, available: [String])
    case raggedRow(path: String, line: Int, expected: Int, found: Int)
    case empty(path: String)
    case invalidSplit(reason: String)
    // NumPy arrays (.npy, .npz).
    /// The file does not start with NumPy's magic `\x93NUMPY` (`found`: its first bytes, escaped).
    case notNPY(path: String, found: String)
    /// A dtype the readers do not convert (`dtype`: NumPy's descr, e.g. `<c8`, with its name).
    case unsupportedDType(path: String, dtype: String)
    case fortranOrder(path: String)
    /// x and y (or test_x and test_y) hold different numbers of rows.
    case rowCountMismatch(x: String, xRows: Int, y: String, yRows: Int)
    /// Labels must be [N] or [N, 1].
    case labelShape(path: String, shape: [Int])
    /// Regression targets must be [N] or [N, T] (a test y as wide as the training y).
    case targetShape(path: String, shape: [Int], expected: String)
    /// Features must be [N, F], [N, H, W] or [N, H, W, C]; test arrays must match the training rows.
    case featureShape(path: String, shape: [Int], expected: String)
    /// A label that is not an integer (row `index`, 0-based): classification needs class indices.
    case nonIntegerLabel(path: String, index: Int, value: String)
    /// A label column that looks like a continuous target: numbers that are not all integers,
    /// or more than `CSVReader.maxClasses` distinct values.
    case continuousLabel(path: String, distinct: Int, example: String)
    /// A regression target cell that is empty or a missing marker (1-based line and column).
    case missingTarget(path: String, line: Int, column: Int, name: String)
    /// A NaN or infinite feature value (element `index` of the array, 0-based).
    case nonFinite(path: String, index: Int, value: String)
    /// An `.npz` archive without the member `member` (`found`: the members it has).
    case missingMember(path: String, member: String, found: [String])
    // Tables.
    /// `categorical:` names a column the CSV file does not have (or the label column).
    case unknownColumn(path: String, column: String, available: [String])
    /// A cell of a numeric column that is not a number, when applying a fitted transform to new rows.
    case notANumber(column: String, row: Int, value: String)
    /// New rows with the wrong number of cells for a fitted transform.
    case rowWidth(row: Int, expected: Int, found: Int)
    /// Two options of the data section that cannot both hold.
    case conflict(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let p, let hint): return "\(p): no such file. \(hint)"
        case .truncated(let p, let r): return "\(p): file is truncated: \(r). Re-download or reinstall the data."
        case .corrupt(let p, let r): return "\(p): file is corrupt: \(r)."
        case .badMagic(let p, let f, let e):
            return "\(p): not an IDX file of the expected kind (magic 0x\(String(f, radix: 16)), expected \(e))."
        case .countMismatch(let i, let ic, let l, let lc):
            return "\(i) has \(ic) images but \(l) has \(lc) labels: the files do not belong together."
        case .nonNumeric(let p, let line, let col, let v):
            return "\(p):\(line):\(col): expected a number, found '\(v)'."
        case .missingLabelColumn(let p, let c, let a):
            return "\(p): no label column '\(c)'; columns are: \(a.joined(separator: ", "))."
        case .raggedRow(let p, let line, let e, let f): return "\(p):\(line): expected \(e) fields, found \(f)."
        case .empty(let p): return "\(p): no data rows."
        case .invalidSplit(let r): return "invalid split: \(r)"
        case .notNPY(let p, let f):
            return "\(p): not a NumPy .npy file (it starts with \(f), expected \\x93NUMPY); write it with numpy.save."
        case .unsupportedDType(let p, let d):
            return "\(p): dtype \(d) is not supported; use float32, float64, int8/16/32/64, uint8/16/32/64 or bool "
                + "(e.g. numpy.save(path, a.astype(numpy.float32)))."
        case .fortranOrder(let p):
            return "\(p): the array is stored in Fortran (column-major) order; save numpy.ascontiguousarray(a) instead."
        case .rowCountMismatch(let x, let xr, let y, let yr):
            return "\(x) has \(xr) rows but \(y) has \(yr) labels: one label per row of x is needed."
        case .labelShape(let p, let s):
            return "\(p): labels have shape \(s); expected [N] or [N, 1] class indices "
                + "(for one-hot labels save y.argmax(axis=1); for several real-valued targets set task: regression)."
        case .targetShape(let p, let s, let e): return "\(p): targets have shape \(s); expected \(e)."
        case .featureShape(let p, let s, let e): return "\(p): features have shape \(s); expected \(e)."
        case .nonIntegerLabel(let p, let i, let v):
            return "\(p): label \(v) at row \(i) is not an integer: classification needs integer class labels. "
                + "For a real-valued target add `task: regression` to the sweep file."
        case .continuousLabel(let p, let n, let e):
            return "\(p): the label column has \(n) distinct values (e.g. \(e)): that is a continuous target, not classes "
                + "(classification takes integer or text labels, at most \(CSVReader.maxClasses) classes). "
                + "Add `task: regression` to the sweep file to predict it, or pick a categorical label column."
        case .missingTarget(let p, let line, let col, let name):
            return "\(p):\(line):\(col): the target '\(name)' is missing; regression targets are not imputed: "
                + "drop the rows without a target (e.g. pandas' df.dropna(subset=['\(name)']))."
        case .nonFinite(let p, let i, let v):
            return "\(p): element \(i) is \(v); the features must be finite (impute or drop such values before saving)."
        case .missingMember(let p, let m, let f):
            return "\(p): no member '\(m)' (\(m).npy) in the archive; it has: "
                + (f.isEmpty ? "no .npy members" : f.joined(separator: ", ")) + "."
        case .unknownColumn(let p, let c, let a):
            return "\(p): categorical column '\(c)' is not a feature column; feature columns are: \(a.joined(separator: ", "))."
        case .notANumber(let c, let r, let v):
            return "row \(r), column '\(c)': expected a number (the column was numeric when the transform was fitted), found '\(v)'."
        case .rowWidth(let r, let e, let f): return "row \(r): expected \(e) cells (the fitted feature columns), found \(f)."
        case .conflict(let p, let r): return "\(p): \(r)."
        }
    }
}
