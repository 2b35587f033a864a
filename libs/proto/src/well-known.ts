// Google's well-known types as ts-proto generated them for our protos.
export { Empty } from './gen/google/protobuf/empty.js';
export { Struct, Value, ListValue, NullValue } from './gen/google/protobuf/struct.js';
export { Timestamp } from './gen/google/protobuf/timestamp.js';
