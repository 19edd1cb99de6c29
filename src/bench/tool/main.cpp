// joule-bench: placeholder until the orchestrator lands.
int main() {
  return 0;
}
