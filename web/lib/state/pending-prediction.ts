// Inputs handed from another screen (a picked Pareto solution) to a task's Predict form,
// taken once when the form opens.
const pending = new Map<string, Record<string, number | string>>();

export function sendToPredict(taskId: string, inputs: Record<string, number | string>): void {
  pending.set(taskId, { ...inputs });
}

export function takePendingPrediction(taskId: string): Record<string, number | string> | undefined {
  const inputs = pending.get(taskId);
  pending.delete(taskId);
  return inputs;
}
