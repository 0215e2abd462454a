/** Prints the detection-quality benchmark (compiled with the project, run with node). */
import { run } from './detection.js';

await run((line) => console.log(line));
