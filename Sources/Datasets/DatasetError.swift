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
        }
    }
}
