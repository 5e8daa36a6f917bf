// DistillationReport: a distillation's student against its control, the best single model and the
// ensemble, as stored.
import Foundation

/// Student vs control vs best single vs ensemble, on the test split. The entries hold
/// classification or (`isRegression`) regression metrics; a classification report's JSON is what
/// it was before regression existed.
public struct DistillationReport: Sendable, Codable, Equatable {
    /// The student picked by the validation metric among the distillation sweep's students.
    public var student: EnsembleEntry
    /// Hard labels only, the same architecture, seed and budget.
    public var control: EnsembleEntry
    public var bestSingle: EnsembleEntry
    public var ensemble: EnsembleEntry
    public var ensembleMethod: String
    public var temperature: Double
    public var alpha: Double
    /// Every student of the sweep: its settings and accuracies, or RMSEs (validation picked the student).
    public var students: [StudentResult]
    /// The share of the ensemble's gain over the best single model that the student keeps, on the
    /// test split: (student − best single) ÷ (ensemble − best single) in accuracy; for regression
    /// (best single − student) ÷ (best single − ensemble) in RMSE (lower is better, so a positive
    /// share means the student is better than the best single model). NaN when the ensemble is no
    /// better than the best single model.
    public var keptGain: Double
    /// The ensemble's FLOPs per example ÷ the student's.
    public var costRatio: Double

    /// Whether the entries hold regression metrics.
    public var isRegression: Bool { student.isRegression }

    /// One student: its settings and, for classification, its accuracies; for regression its RMSEs
    /// (targets' units). The other task's pair is nil and left out of the JSON.
    public struct StudentResult: Sendable, Codable, Equatable {
        public var trial: Int
        public var temperature: Double
        public var alpha: Double
        public var validationAccuracy: Double?
        public var testAccuracy: Double?
        public var validationRMSE: Double?
        public var testRMSE: Double?

        /// A classification student.
        public init(trial: Int, temperature: Double, alpha: Double, validationAccuracy: Double, testAccuracy: Double) {
            self.trial = trial
            self.temperature = temperature
            self.alpha = alpha
            self.validationAccuracy = validationAccuracy
            self.testAccuracy = testAccuracy
        }

        /// A regression student.
        public init(trial: Int, temperature: Double, alpha: Double, validationRMSE: Double, testRMSE: Double) {
            self.trial = trial
            self.temperature = temperature
            self.alpha = alpha
            self.validationRMSE = validationRMSE
            self.testRMSE = testRMSE
        }
    }

    public init(student: EnsembleEntry, control: EnsembleEntry, bestSingle: EnsembleEntry, ensemble: EnsembleEntry, ensembleMethod: String, temperature: Double, alpha: Double, students: [StudentResult], keptGain: Double, costRatio: Double) {
        self.student = student
        self.control = control
        self.bestSingle = bestSingle
        self.ensemble = ensemble
        self.ensembleMethod = ensembleMethod
        self.temperature = temperature
        self.alpha = alpha
        self.students = students
        self.keptGain = keptGain
        self.costRatio = costRatio
    }
}
