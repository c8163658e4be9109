/**
 * Bad inversion input (configs, parameterisations, data). The one ValidationError of geoinv
 * (src/core), re-exported with the shared primitives under this domain's old names; `field` is the
 * dotted path of what is wrong and the CLI reports it with exit code 2.
 */
export { checkMemory, finite, finiteArray, isObject, show, ValidationError } from "../core";
