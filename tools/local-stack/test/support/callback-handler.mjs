/** A test function with a callback-style handler, which the Node.js 24-era runtime clients refuse. */
export const handler = (_event, _context, callback) => {
  callback(null, "never");
};
