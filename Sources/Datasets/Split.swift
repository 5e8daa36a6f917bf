// Split: deterministic stratified train/validation splits from a seed, and standardisation fitted
// on the training split only (the test split is never looked at).
import TensorCore

public enum Split {
    /// How much of the training data to hold out for validation.
    public enum Size: Sendable, Equatable {
        case count(Int)
        case fraction(Double)
    }

    /// Splits `data` into (train, validation), stratified: each class contributes to validation in
    /// proportion to its size (largest remainders), rows chosen by a permutation from `seed`.
    public static func stratified(_ data: Dataset, validation: Size, seed: UInt64) throws -> (train: Dataset, validation: Dataset) {
        let (trainIdx, validIdx) = try stratifiedIndices(labels: data.labels, classCount: data.classCount,
                                                         validation: validation, seed: seed)
        return (data.subset(trainIdx), data.subset(validIdx))
    }

    /// `stratified`'s choice as row indices into `labels` (each list ascending): what it keeps for
    /// training and what it holds out. Any table with these labels splits the same way.
    public static func stratifiedIndices(labels: [Int], classCount: Int, validation: Size,
                                         seed: UInt64) throws -> (train: [Int], validation: [Int]) {
        let n = labels.count
        let target: Int
        switch validation {
        case .count(let c):
            guard c > 0 && c < n else {
                throw DatasetError.invalidSplit(reason: "validation count \(c) must be between 1 and \(n - 1) (the training data has \(n) rows)")
            }
            target = c
        case .fraction(let f):
            guard f > 0 && f < 1 else {
                throw DatasetError.invalidSplit(reason: "validation fraction \(f) must be strictly between 0 and 1")
            }
            target = max(1, min(n - 1, Int((Double(n) * f).rounded())))
        }
        var byClass = [[Int]](repeating: [], count: classCount)
        var rng = RNG(seed: seed).derived(stream: 0x5B11)
        for i in rng.permutation(n) { byClass[labels[i]].append(i) }
        // Largest-remainder apportionment of `target` over the classes.
        let exact = byClass.map { Double($0.count) * Double(target) / Double(n) }
        var take = exact.map { Int($0) }
        let order = exact.indices.sorted { (exact[$0] - Double(take[$0]), -$0) > (exact[$1] - Double(take[$1]), -$1) }
        var left = target - take.reduce(0, +)
        for c in order where left > 0 && take[c] < byClass[c].count { take[c] += 1; left -= 1 }
        var trainIdx: [Int] = [], validIdx: [Int] = []
        for (c, rows) in byClass.enumerated() {
            validIdx += rows.prefix(take[c])
            trainIdx += rows.dropFirst(take[c])
        }
        return (trainIdx.sorted(), validIdx.sorted())
    }
}

/// Per-feature standardisation (x − mean) / std, fitted on one dataset and applied to others.
public struct Standardizer: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    /// Fits on `data` (the training split). Constant features get std 1 (left centred, not blown up).
    public init(fitting data: Dataset) {
        let d = data.featureCount, n = max(data.count, 1)
        var sum = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for r in 0..<data.count { for j in 0..<d { sum[j] += Double(data.features[r * d + j]) } }
        let m = sum.map { $0 / Double(n) }
        for r in 0..<data.count { for j in 0..<d { let x = Double(data.features[r * d + j]) - m[j]; sq[j] += x * x } }
        mean = m.map(Float.init)
        std = sq.map { let s = ($0 / Double(n)).squareRoot(); return s > 1e-8 ? Float(s) : 1 }
    }

    public func apply(_ data: Dataset) -> Dataset {
        var out = data
        let d = data.featureCount
        for r in 0..<data.count { for j in 0..<d { out.features[r * d + j] = (data.features[r * d + j] - mean[j]) / std[j] } }
        return out
    }
}
