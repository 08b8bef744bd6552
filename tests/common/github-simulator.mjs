// Starts GitHub's API simulator (@simulacrum/github-api-simulator, whose
// directory is the first argument) on a free port of 127.0.0.1 and prints
// the port. It answers each documented REST route with the example of
// GitHub's own OpenAPI description.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const dir = process.argv[2];
const { simulation } = await import(pathToFileURL(join(dir, "dist", "index.mjs")).href);
const { port } = await simulation().listen(0, "127.0.0.1");
console.log(port);
