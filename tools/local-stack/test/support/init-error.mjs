/** A test function that fails while it is being imported. */
console.log("loading a module that throws");
throw new Error("init failed on purpose");
