// BinaryMetrics: what a two-class task reports beyond loss and accuracy, over a whole split:
// the ROC AUC of the positive class's probability and the F1 score of the predicted labels.
import Foundation

public enum BinaryMetrics {
    /// The metrics a dataset with `classes` classes gets besides loss and accuracy: `val_auc`
    /// and `val_f1` (named here without the split's prefix) for two classes, none otherwise.
    public static func names(classes: Int) -> [String] { classes == 2 ? ["auc", "f1"] : [] }

    /// AUC and F1 of probabilities [count × 2] (row-major) against labels in {0, 1}; class 1 is
    /// the positive class, and an example is predicted positive when p(1) > p(0) (the argmax,
    /// the first class on ties).
    ///
    /// AUC is the Mann–Whitney statistic: the share of (positive, negative) pairs in which the
    /// positive example has the higher p(1), ties counting one half (ranks averaged over ties);
    /// NaN when either class is absent. F1 = 2·TP / (2·TP + FP + FN); NaN when there are no
    /// positives at all, neither true nor predicted.
    public static func compute(probabilities p: [Float], labels: [Int]) -> (auc: Double, f1: Double) {
        precondition(p.count == 2 * labels.count, "\(p.count) probabilities for \(labels.count) labels × 2 classes")
        let n = labels.count
        let score = (0..<n).map { Double(p[2 * $0 + 1]) }
        // Average ranks (1-based) over ties, in ascending score order.
        let order = (0..<n).sorted { (score[$0], $0) < (score[$1], $1) }
        var rank = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && score[order[j + 1]] == score[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { rank[order[k]] = average }
            i = j + 1
        }
        let positives = labels.filter { $0 == 1 }.count, negatives = n - positives
        var auc = Double.nan
        if positives > 0 && negatives > 0 {
            let rankSum = (0..<n).reduce(0.0) { labels[$1] == 1 ? $0 + rank[$1] : $0 }
            auc = (rankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))
        }
        var tp = 0, fp = 0, fn = 0
        for r in 0..<n {
            let predicted = p[2 * r + 1] > p[2 * r] ? 1 : 0
            if predicted == 1 && labels[r] == 1 { tp += 1 } else if predicted == 1 { fp += 1 } else if labels[r] == 1 { fn += 1 }
        }
        let f1 = tp + fp + fn == 0 ? Double.nan : 2 * Double(tp) / Double(2 * tp + fp + fn)
        return (auc, f1)
    }
}
