/* Model 2, interrupt: change the virtual interrupts a source delivers to the target vCPU. drop: not
 * delivered; delay: delivered after `delay_exits` more exits of the vCPU or `delay_us` microseconds;
 * duplicate: delivered, then once more; spurious: raise `vector` once, from no source (trigger
 * now/exit/icount/tsc). Passes are the source's interrupts about to be delivered.
 * P(model, name, TYPE, required, default, description) */
#define TESSERA_FAULT_PARAMS_interrupt(P)                                                            \
	P(interrupt, action, IRQ_ACTION, 1, 0, "drop, delay, duplicate or spurious")                 \
	P(interrupt, source, IRQ_SOURCE, 0, 0, "timer, doorbell, ipi or any (default any)")          \
	P(interrupt, vector, VECTOR, 0, 0, "only this vector (0: any; spurious: the vector raised)") \
	P(interrupt, delay_exits, NUM, 0, 0, "delay: exits of the vCPU to wait")                     \
	P(interrupt, delay_us, NUM, 0, 0, "delay: microseconds to wait")
