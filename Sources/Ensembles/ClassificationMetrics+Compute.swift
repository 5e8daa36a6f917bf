// Computing ClassificationMetrics from a matrix of class probabilities and the labels.
import Foundation
import Storage

extension ClassificationMetrics {
    /// The metrics of probabilities [count × classes] (row-major) against `labels`.
    public init(probabilities p: [Float], labels: [Int], classes c: Int) {
        precondition(p.count == labels.count * c, "\(p.count) probabilities for \(labels.count) labels × \(c) classes")
        let n = labels.count
        var correct = 0, nll = 0.0, brier = 0.0
        var binCount = [Int](repeating: 0, count: Self.bins), binCorrect = binCount
        var binConfidence = [Double](repeating: 0, count: Self.bins)
        for r in 0..<n {
            let row = p[(r * c)..<((r + 1) * c)]
            var arg = row.startIndex
            for j in row.indices where row[j] > row[arg] { arg = j }
            let predicted = arg - r * c, y = labels[r]
            let confidence = Double(row[arg])
            if predicted == y { correct += 1 }
            let pt = Double(p[r * c + y])
            nll -= pt.isNaN ? .nan : Foundation.log(Swift.max(pt, 1e-12))
            for j in 0..<c { let t = j == y ? 1.0 : 0.0, d = Double(p[r * c + j]) - t; brier += d * d }
            // NaN or out-of-range probabilities (a broken model) go to the edge bins, not a trap.
            let b = confidence.isFinite ? Swift.min(Swift.max(Int(confidence * Double(Self.bins)), 0), Self.bins - 1) : 0
            binCount[b] += 1
            binConfidence[b] += confidence
            if predicted == y { binCorrect[b] += 1 }
        }
        let fn = Double(Swift.max(n, 1))
        let ece = (0..<Self.bins).reduce(0.0) { sum, b in
            guard binCount[b] > 0 else { return sum }
            let k = Double(binCount[b])
            return sum + (k / fn) * Swift.abs(Double(binCorrect[b]) / k - binConfidence[b] / k)
        }
        self.init(accuracy: Double(correct) / fn, nll: nll / fn, brier: brier / fn, ece: ece, count: n)
    }
}
