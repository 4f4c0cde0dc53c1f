/** "1 video", "3 videos": counts in what people read, never "video(s)". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
