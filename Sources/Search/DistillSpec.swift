// DistillSpec: distilling the ensemble into one small student model.

/// Knowledge distillation from the ensemble. `temperature` (all values > 0) and `alpha` (all in
/// [0, 1], the weight of the soft-target loss) are distributions so that a few `trials` can search
/// them; a plain number in the file is a `.constant`. `epochs` and `student` are nil/empty when
/// the file leaves them out; `student` maps parameter names (in the model's vocabulary) to the
/// values that make the student smaller than the teachers.
public struct DistillSpec: Sendable, Hashable {
    public var temperature: Distribution
    public var alpha: Distribution
    public var epochs: Int?
    public var trials: Int
    public var student: [String: ParameterValue]

    public init(temperature: Distribution, alpha: Distribution, epochs: Int? = nil, trials: Int = 1,
                student: [String: ParameterValue] = [:]) {
        self.temperature = temperature
        self.alpha = alpha
        self.epochs = epochs
        self.trials = trials
        self.student = student
    }
}
